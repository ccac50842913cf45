from .base_teacher import BaseTeacher
from .cached_teacher import CachedTeacher
from .input_adapter import InputAdapter
from .open_clip_vision_teacher import OpenCLIPVisionTeacher
from .text_aligned_teacher import TextAlignedTeacher

__all__ = ['BaseTeacher', 'OpenCLIPVisionTeacher', 'TextAlignedTeacher',
           'InputAdapter', 'CachedTeacher']
