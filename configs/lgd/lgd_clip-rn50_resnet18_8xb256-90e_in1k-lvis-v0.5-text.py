_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# Text-set variant (paper Sec. 4.4): ImageNet images, lvis-v1 category names
# (1203 classes, from the toolbox's dataset metainfo) guide the distillation.
model = dict(tsb=dict(classes='lvis_v1'))
