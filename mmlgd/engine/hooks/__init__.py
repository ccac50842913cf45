from .effective_batch_hook import EffectiveBatchHook
from .embedding_queue_check_hook import EmbeddingQueueCheckHook
from .finite_loss_hook import FiniteLossHook
from .plain_message_hub_hook import PlainMessageHubHook
from .pretrained_backbone_check_hook import PretrainedBackboneCheckHook
from .teacher_zero_shot_hook import TeacherZeroShotHook
from .zero_shot_check_hook import ZeroShotCheckHook

__all__ = [
    'EffectiveBatchHook', 'EmbeddingQueueCheckHook', 'FiniteLossHook',
    'PlainMessageHubHook', 'PretrainedBackboneCheckHook',
    'TeacherZeroShotHook', 'ZeroShotCheckHook'
]
