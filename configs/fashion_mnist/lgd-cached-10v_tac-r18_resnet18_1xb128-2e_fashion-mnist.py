# The embedded LGD run trained from a teacher-embedding cache (issue 12,
# docs/teacher_cache.md): 10 fixed views per image whose teacher embeddings
# were computed once; each step replays one of them (stored augmentation
# parameters + seed) and the dataset attaches its z_T. The teacher is never
# loaded, and the cache folder is configured once (the dataset's cache_dir).
# This is mmlgd.teacher_cache.cached_config(<the online config>,
# teacher_cache, 10) spelled out; a test holds the two equal. Build the
# cache first (refused at start-up if it was built for another teacher,
# pipeline, image set or N):
#   python tools/cache_teacher.py \
#       configs/fashion_mnist/lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py \
#       --views 10 --out work_dirs/demo/teacher_cache_10v
_base_ = ['./lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py']
teacher_cache = 'work_dirs/demo/teacher_cache_10v'
num_views = 10
model = dict(target_generator=dict(
    _delete_=True, type='CachedTeacher',
    teacher=_base_.model.target_generator,
    data_preprocessor=_base_.model.data_preprocessor))
train_dataloader = dict(
    sampler=dict(type='CachedViewSampler'),
    dataset=dict(_delete_=True, type='CachedViewDataset',
                 cache_dir=teacher_cache, num_views=num_views,
                 dataset=_base_.train_dataloader.dataset))
