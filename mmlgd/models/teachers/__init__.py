from .cached_teacher import CachedTeacher
from .open_clip_vision_teacher import OpenCLIPVisionTeacher
from .renormalize import InputAdapter
from .text_aligned_teacher import TextAlignedTeacher

__all__ = ['OpenCLIPVisionTeacher', 'TextAlignedTeacher', 'InputAdapter',
           'CachedTeacher']
