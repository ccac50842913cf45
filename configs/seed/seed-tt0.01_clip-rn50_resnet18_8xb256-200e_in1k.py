# SEED at LGD's teacher temperature: the SEED config of this folder with
# tau_t = 0.01 (LGD's, configs/_base_/models/lgd_clip-rn50_resnet18.py)
# instead of the SEED code's 1e-4, so that LGD vs this run differs in the
# method only, and SEED vs this run in the temperature only.
_base_ = './seed_clip-rn50_resnet18_8xb256-200e_in1k.py'
model = dict(head=dict(teacher_temp=0.01))
