_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# Text-set variant (paper Sec. 4.4): ImageNet images, ade20k category names
# (150 classes, from the toolbox's dataset metainfo) guide the distillation.
# Not a row of the paper's classification table; the authors' released code
# does not include the segmentation configs that would name the text set
# and schedule of their ade20k transfer run.
model = dict(tsb=dict(classes='ade20k'))
# No zero-shot val: ImageNet labels do not index ade20k names.
val_dataloader = None
val_evaluator = None
val_cfg = None
