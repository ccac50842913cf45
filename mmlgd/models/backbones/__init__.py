from .transfer_mobilenet_v2 import TransferMobileNetV2

__all__ = ['TransferMobileNetV2']
