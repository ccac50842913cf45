"""Zero-shot (open-vocabulary) classification with a distilled LGD student.

    python tools/infer.py IMAGE_OR_FOLDER... --checkpoint LGD_CKPT
        [--config CFG] [--classes "sneaker,sandal,boot" | fashion_mnist |
        names.txt] [--templates openai] [--topk 5] [--batch-size 32]
        [--out preds.json [--force]] [--device cpu] [--skip-bad]

Prints a table of the top-k categories; ``--out`` writes them as JSON.
The logic is :func:`mmlgd.apis.infer_images`; the command line
:mod:`mmlgd.cli.infer`.
"""
import sys

from mmlgd.cli.infer import main

if __name__ == '__main__':
    sys.exit(main())
