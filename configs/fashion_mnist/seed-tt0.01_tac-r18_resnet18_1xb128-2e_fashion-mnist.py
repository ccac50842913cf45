# SEED demo student at LGD's teacher temperature (tau_t = 0.01, as
# lgd_tac-r18_...py) instead of the SEED code's 1e-4; all else is
# seed_tac-r18_resnet18_1xb128-2e_fashion-mnist.py.
_base_ = './seed_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'
model = dict(head=dict(teacher_temp=0.01))
