"""``--cfg-options`` that the demo's stages pass to ``tools/train.py`` /
``tools/test.py``."""
from mmengine.config import Config


def cfg_opts(**kv) -> list:
    """``key=value`` strings for ``--cfg-options``.

    Args:
        **kv: dotted config key -> value (written with ``str``).
    """
    return [f'{k}={v}' for k, v in kv.items()]


def scheduler_opts(config, **by_type) -> list:
    """``param_scheduler.<i>.<key>=<value>`` options that address each
    scheduler by its type name, not by its position in the list, so a
    reordered schedule cannot silently receive the wrong values.

    Args:
        config (str): the config file.
        **by_type: scheduler type -> dict of fields to set, e.g.
            ``CosineAnnealingLR=dict(end=30)``.

    Raises:
        ValueError: a type is absent from the config's schedule, or present
            more than once.
    """
    scheds = Config.fromfile(config).get('param_scheduler') or []
    if isinstance(scheds, dict):
        scheds = [scheds]
    out = []
    for kind, fields in by_type.items():
        at = [i for i, s in enumerate(scheds) if s.get('type') == kind]
        if len(at) != 1:
            raise ValueError(
                f'{config}: expected one {kind} in param_scheduler, found '
                f'{len(at)} (types: {[s.get("type") for s in scheds]}); the '
                'demo sets its schedule length through it.')
        out += [f'param_scheduler.{at[0]}.{k}={v}'
                for k, v in fields.items()]
    return out
