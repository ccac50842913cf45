# Ablation: text-only LGD (w_vis = 0): the TSB term alone.
_base_ = './lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'
model = dict(head=dict(w_tex=1.0, w_vis=0.0))
