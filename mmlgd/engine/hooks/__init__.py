from .plain_message_hub_hook import PlainMessageHubHook
from .pretrained_backbone_check_hook import PretrainedBackboneCheckHook

__all__ = ['PlainMessageHubHook', 'PretrainedBackboneCheckHook']
