"""Export a distilled LGD student to ONNX, verified with onnxruntime.

    python tools/deployment/export_onnx.py LGD_CKPT OUT.onnx
        [--part zero-shot|backbone|text] [--config CFG]
        [--classes "sneaker,sandal,boot" | fashion_mnist | names.txt]
        [--templates openai] [--input-size H W] [--opset N] [--fp16]
        [--force]

``--part zero-shot`` (default): student + projector + frozen TSB -> logits;
``--part backbone``: the student as a pooled feature extractor; ``--part
text``: the run's text encoder (TSB rows for new names without PyTorch,
docs/deployment.md). The file is
written only after onnxruntime reproduces PyTorch's outputs. Needs the
optional packages of requirements/deploy.txt. The logic is
:func:`mmlgd.deployment.export_onnx`; the command line
:mod:`mmlgd.cli.export_onnx`.
"""
import sys

from mmlgd.cli.export_onnx import main

if __name__ == '__main__':
    sys.exit(main())
