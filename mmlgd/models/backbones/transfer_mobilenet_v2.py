"""mmpretrain's MobileNetV2 as a transfer backbone that DDP can train."""
from mmpretrain.models.backbones import MobileNetV2
from mmpretrain.registry import MODELS


@MODELS.register_module()
class TransferMobileNetV2(MobileNetV2):
    """:class:`mmpretrain.models.MobileNetV2` for detection, segmentation
    and linear probes under DDP: the layers after the last of
    ``out_indices`` are not built, and ``frozen_stages`` are frozen when the
    backbone is built.

    Why: DDP registers the parameters that require a gradient when it wraps
    the model, and stops at the second iteration ("Expected to have
    finished reduction in the prior iteration") if one of them then gets
    none. mmpretrain's MobileNetV2 hits this twice:

    * it always builds and runs its last 1x1 conv (``conv2``, 320 -> 1280
      channels, index 7), which only feeds an ImageNet classifier; a
      detector or segmentor taking stages (2, 4, 6) or (1, 2, 4, 6) never
      uses it. The authors' Mask R-CNN config set
      ``find_unused_parameters=True``, which costs DDP a graph search every
      step; not building the layer costs nothing and saves its forward;
    * it freezes ``frozen_stages`` only in ``train()``, i.e. after DDP has
      registered them (a linear probe's frozen student).

    The layers kept are MobileNetV2's own, with its key names, so an LGD
    MobileNetV2 student (or mmpretrain's ImageNet weights) loads one to one;
    the file's ``conv2.*`` tensors are then not loaded, and
    :func:`mmlgd.utils.pretrained_check.check_pretrained_init` reports them
    as not built. With the default ``out_indices=(7, )`` nothing is dropped.

    Args:
        out_indices (Sequence[int]): output stages, 0-7 (7 = ``conv2``).
        frozen_stages (int): stages to freeze, -1 (none) to 7.
        **kwargs: the other :class:`MobileNetV2` arguments.

    Attributes:
        unbuilt (list[str]): the dropped layers (e.g. ``['conv2']``).

    Raises:
        ValueError: ``frozen_stages`` above the last output stage + 1 (it
            would freeze a layer that is not built), or MobileNetV2's own
            errors.
    """

    def __init__(self, out_indices=(7, ), frozen_stages: int = -1,
                 **kwargs):
        last = max(out_indices)
        if frozen_stages > last + 1:
            raise ValueError(
                f'frozen_stages={frozen_stages} freezes layers after the '
                f'last output stage {last} (out_indices={out_indices}), '
                'which TransferMobileNetV2 does not build; use '
                f'frozen_stages <= {last + 1}.')
        super().__init__(out_indices=out_indices,
                         frozen_stages=frozen_stages, **kwargs)
        self.unbuilt = list(self.layers[last + 1:])
        for name in self.unbuilt:
            delattr(self, name)
        self.layers = self.layers[:last + 1]
        self._freeze_stages()  # before DDP registers the parameters
