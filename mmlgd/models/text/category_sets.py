"""Category names and prompt templates for the Textual Semantics Bank.

Names come from the ecosystem's own metadata (open_clip, mmdet, mmseg,
mmpretrain), so they match what the downstream datasets use:

=============== ============================================ =====
spec            source                                       K
=============== ============================================ =====
``imagenet1k``  ``open_clip.IMAGENET_CLASSNAMES``             1000
``coco``        ``mmdet.datasets.CocoDataset.METAINFO``        80
``lvis_v1``     ``mmdet.datasets.LVISV1Dataset.METAINFO``    1203
``lvis_v0.5``   ``mmdet.datasets.LVISV05Dataset.METAINFO``   1230
``caltech256``  :data:`CALTECH256_FOLDERS` (see below)          256
``ade20k``      ``mmseg.datasets.ADE20KDataset.METAINFO``     150
``cityscapes``  ``mmseg.datasets.CityscapesDataset.METAINFO``  19
``fashion_mnist`` ``mmpretrain.datasets.FashionMNIST.METAINFO`` 10
=============== ============================================ =====

No library ships Caltech-256 names, so its 256 object folders
(``001.ak47`` ... ``256.toad``; ``257.clutter`` excluded, as in the paper's
CT-256 text runs) are listed here and named by the rule of the authors'
``tools/get-caltech-classnames.py`` (github.com/mZhenz/LGD): the part after
the dot, a ``-101`` suffix dropped, hyphens as spaces
(``063.electric-guitar-101`` -> ``electric guitar``). Row ``k`` of the TSB is
folder ``k + 1``, the label order of an image-folder dataset of the 256
sorted folders.

A spec may also be a path to a text file (one name per line), an explicit
list of names, or a list of specs (their union, first occurrence kept).
"""
import os.path as osp
from typing import Callable, List, Sequence, Union

ClassSpec = Union[str, Sequence[str]]
TemplateSpec = Union[str, Sequence[Union[str, Callable[[str], str]]]]


def _imagenet1k():
    from open_clip import IMAGENET_CLASSNAMES
    return IMAGENET_CLASSNAMES


def _coco():
    from mmdet.datasets import CocoDataset
    return CocoDataset.METAINFO['classes']


def _lvis_v1():
    from mmdet.datasets import LVISV1Dataset
    return LVISV1Dataset.METAINFO['classes']


def _lvis_v05():
    from mmdet.datasets import LVISV05Dataset
    return LVISV05Dataset.METAINFO['classes']


CALTECH256_FOLDERS = tuple((
    '001.ak47 002.american-flag 003.backpack 004.baseball-bat '
    '005.baseball-glove 006.basketball-hoop 007.bat 008.bathtub 009.bear '
    '010.beer-mug 011.billiards 012.binoculars 013.birdbath 014.blimp '
    '015.bonsai-101 016.boom-box 017.bowling-ball 018.bowling-pin '
    '019.boxing-glove 020.brain-101 021.breadmaker 022.buddha-101 '
    '023.bulldozer 024.butterfly 025.cactus 026.cake 027.calculator '
    '028.camel 029.cannon 030.canoe 031.car-tire 032.cartman 033.cd '
    '034.centipede 035.cereal-box 036.chandelier-101 037.chess-board '
    '038.chimp 039.chopsticks 040.cockroach 041.coffee-mug 042.coffin '
    '043.coin 044.comet 045.computer-keyboard 046.computer-monitor '
    '047.computer-mouse 048.conch 049.cormorant 050.covered-wagon '
    '051.cowboy-hat 052.crab-101 053.desk-globe 054.diamond-ring 055.dice '
    '056.dog 057.dolphin-101 058.doorknob 059.drinking-straw 060.duck '
    '061.dumb-bell 062.eiffel-tower 063.electric-guitar-101 '
    '064.elephant-101 065.elk 066.ewer-101 067.eyeglasses 068.fern '
    '069.fighter-jet 070.fire-extinguisher 071.fire-hydrant 072.fire-truck '
    '073.fireworks 074.flashlight 075.floppy-disk 076.football-helmet '
    '077.french-horn 078.fried-egg 079.frisbee 080.frog 081.frying-pan '
    '082.galaxy 083.gas-pump 084.giraffe 085.goat 086.golden-gate-bridge '
    '087.goldfish 088.golf-ball 089.goose 090.gorilla 091.grand-piano-101 '
    '092.grapes 093.grasshopper 094.guitar-pick 095.hamburger 096.hammock '
    '097.harmonica 098.harp 099.harpsichord 100.hawksbill-101 '
    '101.head-phones 102.helicopter-101 103.hibiscus 104.homer-simpson '
    '105.horse 106.horseshoe-crab 107.hot-air-balloon 108.hot-dog '
    '109.hot-tub 110.hourglass 111.house-fly 112.human-skeleton '
    '113.hummingbird 114.ibis-101 115.ice-cream-cone 116.iguana 117.ipod '
    '118.iris 119.jesus-christ 120.joy-stick 121.kangaroo-101 122.kayak '
    '123.ketch-101 124.killer-whale 125.knife 126.ladder 127.laptop-101 '
    '128.lathe 129.leopards-101 130.license-plate 131.lightbulb '
    '132.light-house 133.lightning 134.llama-101 135.mailbox 136.mandolin '
    '137.mars 138.mattress 139.megaphone 140.menorah-101 141.microscope '
    '142.microwave 143.minaret 144.minotaur 145.motorbikes-101 '
    '146.mountain-bike 147.mushroom 148.mussels 149.necktie 150.octopus '
    '151.ostrich 152.owl 153.palm-pilot 154.palm-tree 155.paperclip '
    '156.paper-shredder 157.pci-card 158.penguin 159.people '
    '160.pez-dispenser 161.photocopier 162.picnic-table 163.playing-card '
    '164.porcupine 165.pram 166.praying-mantis 167.pyramid 168.raccoon '
    '169.radio-telescope 170.rainbow 171.refrigerator 172.revolver-101 '
    '173.rifle 174.rotary-phone 175.roulette-wheel 176.saddle 177.saturn '
    '178.school-bus 179.scorpion-101 180.screwdriver 181.segway '
    '182.self-propelled-lawn-mower 183.sextant 184.sheet-music '
    '185.skateboard 186.skunk 187.skyscraper 188.smokestack 189.snail '
    '190.snake 191.sneaker 192.snowmobile 193.soccer-ball 194.socks '
    '195.soda-can 196.spaghetti 197.speed-boat 198.spider 199.spoon '
    '200.stained-glass 201.starfish-101 202.steering-wheel 203.stirrups '
    '204.sunflower-101 205.superman 206.sushi 207.swan 208.swiss-army-knife '
    '209.sword 210.syringe 211.tambourine 212.teapot 213.teddy-bear '
    '214.teepee 215.telephone-box 216.tennis-ball 217.tennis-court '
    '218.tennis-racket 219.theodolite 220.toaster 221.tomato 222.tombstone '
    '223.top-hat 224.touring-bike 225.tower-pisa 226.traffic-light '
    '227.treadmill 228.triceratops 229.tricycle 230.trilobite-101 '
    '231.tripod 232.t-shirt 233.tuning-fork 234.tweezer 235.umbrella-101 '
    '236.unicorn 237.vcr 238.video-projector 239.washing-machine '
    '240.watch-101 241.waterfall 242.watermelon 243.welding-mask '
    '244.wheelbarrow 245.windmill 246.wine-bottle 247.xylophone '
    '248.yarmulke 249.yo-yo 250.zebra 251.airplanes-101 252.car-side-101 '
    '253.faces-easy-101 254.greyhound 255.tennis-shoes 256.toad').split())


def caltech256_name(folder: str) -> str:
    """Category name of a Caltech-256 folder (authors' rule, see module
    docstring): ``'252.car-side-101'`` -> ``'car side'``."""
    name = folder.split('.', 1)[-1]
    if name.endswith('-101'):
        name = name[:-len('-101')]
    return name.replace('-', ' ')


def _caltech256():
    return [caltech256_name(f) for f in CALTECH256_FOLDERS]


def _ade20k():
    from mmseg.datasets import ADE20KDataset
    return ADE20KDataset.METAINFO['classes']


def _cityscapes():
    from mmseg.datasets import CityscapesDataset
    return CityscapesDataset.METAINFO['classes']


def _fashion_mnist():
    from mmpretrain.datasets import FashionMNIST
    return FashionMNIST.METAINFO['classes']


CATEGORY_SETS = {
    'imagenet1k': _imagenet1k,
    'coco': _coco,
    'lvis_v1': _lvis_v1,
    'lvis_v0.5': _lvis_v05,
    'caltech256': _caltech256,
    'ade20k': _ade20k,
    'cityscapes': _cityscapes,
    'fashion_mnist': _fashion_mnist,
}


def _read_names_file(path: str) -> List[str]:
    with open(path, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


NAMES_FILE_SUFFIXES = ('.txt', '.csv', '.tsv', '.lst', '.names')


def looks_like_names_file(text: str) -> bool:
    """Whether a string category spec means a names file rather than a set
    name or a category name: it holds a path separator or ends in a text
    suffix (:data:`NAMES_FILE_SUFFIXES`, any case)."""
    return ('/' in text or osp.sep in text
            or text.lower().endswith(NAMES_FILE_SUFFIXES))


def check_class_spec(spec: str) -> str:
    """The one rule for a string category spec, shared by configs
    (``tsb.classes``) and the ``--classes`` options of ``tools/infer.py``
    and ``tools/deployment/export_onnx.py``: a known set name or an existing
    names file.

    Returns:
        str: ``spec``, unchanged.

    Raises:
        FileNotFoundError: ``spec`` looks like a path
            (:func:`looks_like_names_file`) but is no file.
        ValueError: neither a known set name nor a file.
    """
    if spec in CATEGORY_SETS or osp.isfile(spec):
        return spec
    if looks_like_names_file(spec):
        raise FileNotFoundError(
            f'Names file {spec!r} does not exist: fix the path (one '
            'category name per line), or give the names themselves.')
    raise ValueError(
        f'Unknown category set {spec!r}: use one of '
        f'{sorted(CATEGORY_SETS)}, a path to a text file with one name per '
        'line, or a list of names.')


def _one(spec: str) -> List[str]:
    check_class_spec(spec)
    if spec in CATEGORY_SETS:
        return list(CATEGORY_SETS[spec]())
    return _read_names_file(spec)


def _no_duplicates(names: List[str], source: str) -> None:
    """Refuse blank names, then names that repeat up to case and spacing
    (text encoders such as CLIP's and MiniLM's lower-case their input, so
    'Shoe' and 'shoe' would give two identical TSB rows)."""
    if any(not n.strip() for n in names):
        _blank_error(source)
    keys = [' '.join(n.casefold().split()) for n in names]
    dups = sorted({n for n, k in zip(names, keys) if keys.count(k) > 1})
    if dups:
        raise ValueError(
            f'Duplicate category names in {source}: {dups} (compared '
            'ignoring case and spacing). Each TSB row must be a distinct '
            'category: remove repeats.')


def _blank_error(source: str) -> None:
    raise ValueError(
        f'The category list from {source} is empty or has blank names: '
        'the TSB needs at least one non-empty category name.')


def resolve_classes(spec: ClassSpec) -> List[str]:
    """Category names for ``spec`` (see module docstring).

    An explicit list whose items are all known set names or existing files
    is a union of sets; otherwise it is a list of category names.

    Returns:
        list[str]: K unique names, in order.

    Raises:
        FileNotFoundError: a path-like string that is no file
            (:func:`check_class_spec`).
        ValueError: empty result; unknown set name; duplicate names in an
            explicit list or a names file (a union of sets drops repeats
            silently, since e.g. COCO and LVIS share names by design; the
            built-in ImageNet list keeps CLIP's two repeated names so rows
            follow the dataset's label indices).
    """
    if isinstance(spec, str):
        names = _one(spec)
        source = spec
        if spec not in CATEGORY_SETS:  # a user's file: same rule as a list
            _no_duplicates(names, spec)
    else:
        spec = list(spec)
        is_union = bool(spec) and all(
            isinstance(s, str) and (s in CATEGORY_SETS or osp.isfile(s))
            for s in spec)
        if is_union:
            names, seen = [], set()
            for s in spec:
                for n in _one(s):
                    if n not in seen:
                        seen.add(n)
                        names.append(n)
            source = '+'.join(spec)
        else:
            names = [str(n).strip() for n in spec]
            source = 'the class list'
            _no_duplicates(names, source)
    if not names or any(not n for n in names):
        _blank_error(source)
    return names


def resolve_templates(spec: TemplateSpec) -> List[Union[str, Callable]]:
    """Prompt templates: ``'openai'`` (open_clip's 80 ImageNet templates, as
    in the paper), ``'simple'`` (open_clip's short set), or a list of format
    strings with one ``{}`` / callables ``name -> prompt``.

    Raises:
        ValueError: unknown name, empty list, or a string without ``{}``.
    """
    import open_clip
    if isinstance(spec, str):
        sets = {'openai': open_clip.OPENAI_IMAGENET_TEMPLATES,
                'simple': open_clip.SIMPLE_IMAGENET_TEMPLATES}
        if spec not in sets:
            raise ValueError(f'Unknown template set {spec!r}: use '
                             "'openai', 'simple' or a list of strings.")
        return list(sets[spec])
    templates = list(spec)
    if not templates:
        raise ValueError('Empty template list: give at least one prompt '
                         "such as 'a photo of a {}.'")
    for t in templates:
        if isinstance(t, str) and '{}' not in t:
            raise ValueError(f'Template {t!r} has no "{{}}" placeholder for '
                             'the category name.')
    return templates


def render_templates(templates: Sequence[Union[str, Callable]]) -> List[str]:
    """Each template as a string with ``{}`` where the name goes (cache key).
    """
    return [t if isinstance(t, str) else t('{}') for t in templates]
