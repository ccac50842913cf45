"""mmcv's compiled ops (CPU kernels) against hand-computed results."""
import pytest
import torch
from mmcv.ops import nms, roi_align  # the compiled extension must exist

# Boxes are (x1, y1, x2, y2); mmcv's nms uses areas (x2 - x1) * (y2 - y1).
#   A = [0, 0, 10, 10], B = [5, 0, 15, 10]: overlap 5x10 = 50,
#       union 100 + 100 - 50 = 150  -> IoU(A, B) = 1/3
#   C = [20, 20, 30, 30] is disjoint from both -> IoU 0
BOXES = torch.tensor([[0., 0., 10., 10.], [5., 0., 15., 10.],
                      [20., 20., 30., 30.]])


@pytest.mark.parametrize('scores, thr, keep', [
    ([0.9, 0.8, 0.7], 0.30, [0, 2]),     # 1/3 > 0.30: B suppressed by A
    ([0.9, 0.8, 0.7], 0.34, [0, 1, 2]),  # 1/3 < 0.34: all kept
    ([0.6, 0.8, 0.7], 0.30, [1, 2]),     # B now scores higher: A suppressed
    ([0.6, 0.8, 0.9], 0.30, [2, 1]),     # kept in descending score order
])
def test_nms_known_ious(scores, thr, keep):
    scores = torch.tensor(scores)
    dets, inds = nms(BOXES, scores, iou_threshold=thr)
    assert inds.tolist() == keep
    assert dets.shape == (len(keep), 5)
    torch.testing.assert_close(dets[:, :4], BOXES[keep])
    torch.testing.assert_close(dets[:, 4], scores[keep])


def test_nms_identical_boxes_keep_best_only():
    boxes = BOXES[:1].repeat(3, 1)  # IoU 1 with each other
    _, inds = nms(boxes, torch.tensor([0.2, 0.9, 0.5]), iou_threshold=0.99)
    assert inds.tolist() == [1]


# Feature map f[y, x] = 2x + 3y + 1 (pixel (x, y) has its centre at
# continuous coordinate (x + 0.5, y + 0.5)). Bilinear interpolation of a
# linear map is exact, and RoIAlign samples each bin symmetrically around its
# centre, so every bin's average is f at the bin centre, where
# aligned=True shifts continuous coordinates by -0.5 px (pixel-centre model)
# and aligned=False uses them as pixel indices directly.
# RoI [x1, y1, x2, y2] = [2, 2, 10, 6], output 2 x 4: bins are 2 x 2 px with
# centres x = 3, 5, 7, 9 and y = 3, 5.
#   aligned=False: f = 2*{3,5,7,9} + 3*{3,5} + 1
#       row y=3: 16, 20, 24, 28     row y=5: 22, 26, 30, 34
#   aligned=True: centres at x - 0.5, y - 0.5 -> every value 2.5 lower
RAMP_EXPECTED = {
    False: [[16., 20., 24., 28.], [22., 26., 30., 34.]],
    True: [[13.5, 17.5, 21.5, 25.5], [19.5, 23.5, 27.5, 31.5]],
}


def _ramp(h=16, w=16):
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32),
                            torch.arange(w, dtype=torch.float32),
                            indexing='ij')
    return (2 * xs + 3 * ys + 1)[None, None]  # (1, 1, H, W)


@pytest.mark.parametrize('aligned', [False, True])
@pytest.mark.parametrize('sampling_ratio', [0, 2])
def test_roi_align_linear_ramp(aligned, sampling_ratio):
    rois = torch.tensor([[0., 2., 2., 10., 6.]])  # (batch_idx, x1, y1, ...)
    # roi_align is an autograd Function: arguments are positional
    # (input, rois, output_size, spatial_scale, sampling_ratio, pool_mode,
    # aligned).
    out = roi_align(_ramp(), rois, (2, 4), 1.0, sampling_ratio, 'avg',
                    aligned)
    assert out.shape == (1, 1, 2, 4)
    torch.testing.assert_close(out[0, 0], torch.tensor(RAMP_EXPECTED[aligned]))


@pytest.mark.parametrize('aligned', [False, True])
def test_roi_align_spatial_scale_and_batch_index(aligned):
    # Two images: the RoI picks the second one (the ramp); image-space
    # coordinates at stride 2 map to the same feature-map RoI as above.
    feats = torch.cat([torch.zeros(1, 1, 16, 16), _ramp()])
    rois = torch.tensor([[1., 4., 4., 20., 12.]])
    out = roi_align(feats, rois, (2, 4), 0.5, 2, 'avg', aligned)
    torch.testing.assert_close(out[0, 0], torch.tensor(RAMP_EXPECTED[aligned]))


@pytest.mark.parametrize('pool_mode', ['avg', 'max'])
def test_roi_align_constant_map(pool_mode):
    feats = torch.full((1, 3, 8, 8), 7.0)
    feats[0, 1] = -2.0
    rois = torch.tensor([[0., 1., 1., 6., 5.], [0., 0.5, 2., 3.5, 7.]])
    out = roi_align(feats, rois, (3, 3), 1.0, 2, pool_mode, True)
    expected = torch.tensor([7., -2., 7.]).view(1, 3, 1, 1).expand(2, 3, 3, 3)
    torch.testing.assert_close(out, expected)
