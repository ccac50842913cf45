"""Zero-shot classification of image files: classify, print a table, write
JSON (what ``tools/infer.py`` runs; its command line is
:mod:`mmlgd.cli.infer`).
"""
import os.path as osp
from typing import List, Optional, Sequence, Union

from mmlgd.models.text import CATEGORY_SETS, check_class_spec
from mmlgd.models.text.category_sets import looks_like_names_file
from mmlgd.utils.markdown import md_table


def parse_classes(text: Optional[str]) -> Union[None, str, List[str]]:
    """``--classes`` value -> category spec.

    A known set name (``fashion_mnist``...) or an existing file stays a
    string; a path-like value without a comma (a path separator or a
    ``.txt``-like suffix) must be an existing file, by the rule configs follow
    (:func:`mmlgd.models.text.check_class_spec`); anything else is a
    comma-separated list of names (an empty or repeated name is refused
    later by the TSB's class resolution).

    Raises:
        FileNotFoundError: a path-like value that is no file.
    """
    if text is None:
        return None
    if text in CATEGORY_SETS or osp.isfile(text) or (
            ',' not in text and looks_like_names_file(text)):
        return check_class_spec(text)
    return [name.strip() for name in text.split(',')]


def parse_templates(values: Optional[Sequence[str]]):
    """``--templates`` values -> template spec: one known set name
    (``openai``, ``simple``) stays a string, else a list of prompts."""
    if values is not None and len(values) == 1 and values[0] in (
            'openai', 'simple'):
        return values[0]
    return None if values is None else list(values)


def format_table(names: Sequence[str], results: Sequence[dict]) -> str:
    """A Markdown table: image, top-1 class and score, the other top-k."""
    return md_table(['image', 'top-1', 'score', 'next'], [
        [name, res['pred_class'], f"{res['pred_score']:.3f}",
         ', '.join(f"{t['class']} {t['score']:.3f}" for t in res['topk'][1:])]
        for name, res in zip(names, results)])


def infer_images(images: Sequence[str], model: str,
                 checkpoint: Optional[str] = None, classes=None,
                 templates=None, topk: int = 5, batch_size: int = 32,
                 out: Optional[str] = None, force: bool = False,
                 device: str = 'cpu', progress: Optional[bool] = None,
                 tsb_cache_dir: Optional[str] = None,
                 skip_bad: bool = False) -> List[dict]:
    """Zero-shot-classify ``images`` (files and folders), print a table and
    optionally write ``out`` (JSON, atomically).

    With ``skip_bad``, image files that cannot be read are left out and
    reported at the end (count and names; in ``out`` under ``skipped``).

    Returns:
        list[dict]: per (readable) image ``image`` (path or index),
        ``pred_class``, ``pred_label``, ``pred_score``, ``topk``.

    Raises:
        FileExistsError: ``out`` exists and ``force`` is False (checked
            before any work).
        FileNotFoundError: an image path that does not exist (checked
            before the model and TSB are built).
        OSError: an unreadable image (named), without ``skip_bad``.
        ValueError: see :class:`ZeroShotInferencer`.
    """
    from mmlgd.utils.fileio import atomic_write_json

    from .inferencer import ZeroShotInferencer
    if out is not None and osp.lexists(out) and not force:
        raise FileExistsError(f'{out} already exists; pass --force to '
                              'overwrite it, or choose another --out.')
    missing = [i for i in images if isinstance(i, str)
               and '://' not in i and not osp.exists(i)]
    if missing:
        raise FileNotFoundError(
            f'No such image file or folder: {", ".join(missing)}.')
    inferencer = ZeroShotInferencer(model, checkpoint, classes=classes,
                                    templates=templates, topk=topk,
                                    device=device,
                                    tsb_cache_dir=tsb_cache_dir)
    paths = inferencer._inputs_to_list(list(images))
    results = inferencer(paths, batch_size=batch_size, skip_bad=skip_bad,
                         progress=progress if progress is not None else any(
                             osp.isdir(i) for i in images))
    rows = [dict(image=paths[i] if isinstance(paths[i], str) else i,
                 **{k: v for k, v in r.items() if k != 'pred_scores'})
            for i, r in zip(inferencer.kept, results)]
    print(format_table([str(r['image']) for r in rows], rows))
    skipped = [dict(image=p, error=e) for _, p, e in inferencer.skipped]
    if out is not None:
        atomic_write_json(out, dict(classes=inferencer.classes,
                                    results=rows, skipped=skipped),
                          force=force)
        print(f'Wrote {len(rows)} predictions to {out}')
    if skipped:
        print(f'Skipped {len(skipped)} unreadable image(s) (--skip-bad):\n'
              + '\n'.join(f"  {s['image']}: {s['error']}" for s in skipped))
    return rows
