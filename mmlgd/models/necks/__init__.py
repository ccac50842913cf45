from .embedding_queue import EmbeddingQueue
from .lgka_neck import LGKANeck
from .student_projector import StudentProjector

__all__ = ['EmbeddingQueue', 'LGKANeck', 'StudentProjector']
