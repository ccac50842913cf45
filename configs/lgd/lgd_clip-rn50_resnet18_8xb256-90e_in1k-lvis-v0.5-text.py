_base_ = './lgd_clip-rn50_resnet18_8xb256-90e_in1k.py'
# Pre-training for the paper's R18 LVIS detection row: ImageNet images, the
# 1230 LVIS v0.5 category names (mmdet's LVISV05Dataset metainfo, the list
# of the authors' clip/coco_zeroshot_data.py:lvis_classname) as the text
# set, 90 epochs (the authors' released Mask R-CNN R18 LVIS config loads
# "..._D_in1k_L_lvis_..._r18_ep90": data IN-1k, language LVIS, 90 ep). The
# detector itself is fine-tuned on LVIS v1.
model = dict(tsb=dict(classes='lvis_v0.5'))
# No zero-shot val: ImageNet labels do not index LVIS names.
val_dataloader = None
val_evaluator = None
val_cfg = None
