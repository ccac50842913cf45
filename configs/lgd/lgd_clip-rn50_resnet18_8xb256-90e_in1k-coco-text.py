_base_ = './lgd_clip-rn50_resnet18_8xb256-90e_in1k.py'
# Pre-training for the paper's R18 COCO detection row: ImageNet images,
# the 80 COCO category names (mmdet's CocoDataset metainfo, the same names as
# the authors' clip/coco_zeroshot_data.py) as the text set, 90 epochs (the
# authors' released Mask R-CNN R18 COCO config loads
# "..._D_in1k_L_coco_..._r18_ep90_...": data IN-1k, language COCO, 90 ep).
model = dict(tsb=dict(classes='coco'))
# No zero-shot val: ImageNet labels do not index COCO names.
val_dataloader = None
val_evaluator = None
val_cfg = None
