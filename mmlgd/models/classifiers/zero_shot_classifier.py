"""Zero-shot image classification through a TSB, for ``tools/test.py``."""
from typing import List, Optional, Union

import torch
from mmpretrain.models.classifiers import BaseClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from ..algorithms.base import student_embedding
from ..algorithms.lgd import with_tsb_shape


@MODELS.register_module()
class ZeroShotClassifier(BaseClassifier):
    """Classify by cosine similarity to the TSB: ``logits = s * z L^T``
    (LGD paper, Sec. 4: zero-shot evaluation with ``s = 100``).

    Either a student — ``backbone`` + ``neck`` (:class:`LGKANeck`), loaded
    from an LGD checkpoint whose ``backbone.*`` / ``neck.*`` keys match — or
    a teacher — ``image_encoder`` (any module mapping images to unit
    embeddings, e.g. :class:`OpenCLIPVisionTeacher`).

    Args:
        tsb (dict): :class:`TextualSemanticsBank` over the test classes (in
            the dataset's label order).
        backbone, neck (dict, optional): the student.
        image_encoder (dict, optional): the teacher.
        logit_scale (float): ``s``.

    Raises:
        ValueError: neither or both of (backbone, image_encoder) given; the
            embedding dim differs from the TSB's.
        RuntimeError: on loading, a checkpoint lacks any ``backbone.`` /
            ``neck.`` key of the student (the student would silently stay
            random). The neck's VSB, unused here, may have another K than
            the TSB (a run over another text set): it is not loaded then.
    """

    def __init__(self, tsb: Union[dict, nn.Module],
                 backbone: Optional[dict] = None, neck: Optional[dict] = None,
                 image_encoder: Optional[dict] = None,
                 logit_scale: float = 100.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        data_preprocessor = data_preprocessor or {}
        if isinstance(data_preprocessor, dict):
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(init_cfg=init_cfg,
                         data_preprocessor=data_preprocessor)
        if (backbone is None) == (image_encoder is None):
            raise ValueError('ZeroShotClassifier needs either backbone+neck '
                             '(student) or image_encoder (teacher).')
        self.tsb = MODELS.build(tsb) if isinstance(tsb, dict) else tsb
        if backbone is not None:
            self.backbone = MODELS.build(backbone)
            self.neck = MODELS.build(with_tsb_shape(neck, self.tsb))
            dim = getattr(self.neck, 'out_channels', None)
            self.register_load_state_dict_pre_hook(_require_student_keys)
            self.register_load_state_dict_pre_hook(_keep_own_vsb)
        else:
            self.image_encoder = MODELS.build(image_encoder)
            dim = getattr(self.image_encoder, 'embed_dim', None)
        if dim is not None and dim != self.tsb.dim:
            raise ValueError(f'Embedding dim {dim} != TSB dim {self.tsb.dim}:'
                             ' use the text encoder of the model\'s space.')
        self.logit_scale = logit_scale

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, D) unit embeddings."""
        if hasattr(self, 'image_encoder'):
            return self.image_encoder(inputs)
        return student_embedding(self.backbone, self.neck, inputs)

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        if mode == 'tensor':
            return self.logit_scale * self.tsb(self.extract_feat(inputs))
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f'ZeroShotClassifier has no mode {mode!r}: it is '
                           "evaluation-only ('tensor' or 'predict').")

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None):
        """Data samples with ``pred_score`` (softmax of the logits) and
        ``pred_label``."""
        scores = torch.softmax(self(inputs).float(), dim=1)
        labels = scores.argmax(dim=1, keepdim=True)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(scores.size(0))]
        for ds, score, label in zip(data_samples, scores, labels):
            ds.set_pred_score(score).set_pred_label(label)
        return data_samples


def _keep_own_vsb(module, state_dict, prefix, *args):
    """Loading: the neck's VSB (``vsb*`` buffers, K x D) is unused at
    zero-shot time; a checkpoint trained over another text set (IN-1k text,
    evaluated over Caltech-256 names) has another K. Such rows keep the
    model's own values instead of raising a size-mismatch warning; every
    other key (student, projector) is loaded and checked as usual."""
    for name, buf in module.neck.named_buffers():
        key = f'{prefix}neck.{name}'
        if name.startswith('vsb') and key in state_dict and \
                state_dict[key].shape != buf.shape:
            state_dict[key] = buf.detach().clone()


def _require_student_keys(module, state_dict, prefix, local_metadata,
                          strict, missing_keys, unexpected_keys, error_msgs):
    wanted = [f'{prefix}{part}.{k}' for part in ('backbone', 'neck')
              for k in getattr(module, part).state_dict()]
    missing = [k for k in wanted if k not in state_dict]
    if missing:
        raise RuntimeError(
            f'The checkpoint lacks {len(missing)} student keys (e.g. '
            f'{missing[:3]}): zero-shot evaluation needs an LGD checkpoint '
            'with backbone.* and neck.* from the same student/neck config.')
