"""Schedule settings the demo's stages apply to a loaded config."""


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
