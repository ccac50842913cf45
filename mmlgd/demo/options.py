"""What the demo's stages change in a loaded config: schedule lengths,
and the shipped configs a config names."""
from mmlgd.utils.configs import config_path


def find_shipped(node) -> None:
    """Replace each ``config='configs/...'`` inside ``node`` (e.g. the
    model settings naming the text-aligned teacher's own config) by that
    shipped config's path (:func:`mmlgd.utils.configs.config_path`), so
    the demo runs from any directory. In place.

    Args:
        node (dict | list): a config node (ConfigDict, dict or list).

    Raises:
        FileNotFoundError: a named ``configs/...`` file is not shipped.
    """
    items = (node.items() if isinstance(node, dict) else
             enumerate(node) if isinstance(node, list) else ())
    for key, value in list(items):
        if key == 'config' and isinstance(value, str) and \
                value.startswith('configs/'):
            node[key] = config_path(value)
        else:
            find_shipped(value)


def set_schedule(cfg, **by_type) -> None:
    """Set fields of the config's ``param_scheduler`` entries, each found by
    its type name rather than its position in the list, so a reordered
    schedule cannot silently receive the wrong values.

    Args:
        cfg (mmengine.config.Config): the loaded config (changed in place).
        **by_type: scheduler type -> dict of fields to set, e.g.
            ``CosineAnnealingLR=dict(end=30)``.

    Raises:
        ValueError: a type is absent from the config's schedule, or present
            more than once.
    """
    scheds = cfg.get('param_scheduler') or []
    if isinstance(scheds, dict):
        scheds = [scheds]
    for kind, fields in by_type.items():
        at = [s for s in scheds if s.get('type') == kind]
        if len(at) != 1:
            raise ValueError(
                f'{cfg.filename}: expected one {kind} in param_scheduler, '
                f'found {len(at)} (types: {[s.get("type") for s in scheds]});'
                ' the demo sets its schedule length through it.')
        at[0].update(fields)
