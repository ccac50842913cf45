# Ablation: image-only LGD (w_tex = 0): the VSB term alone.
_base_ = './lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'
model = dict(head=dict(w_tex=0.0, w_vis=1.0))
