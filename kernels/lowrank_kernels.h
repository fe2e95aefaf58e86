#pragma once
// Launchers for the low-rank kernels; device pointers only, column-major, plain C++.
namespace rankflow::kernels {

// y_k (k = 0..K, each d×n with leading dimension d, stored one after another) from the
// stacked product z = [W; V_1ᵀ; …; V_Kᵀ] X ((d + R)×n, leading dimension d + R):
//   c = z[0..d); y_0 = σ(c); c += U_k z[d + offset_k ..]; y_k = σ(c)
// u is d×R (leading dimension d); rankOffsets holds K + 1 prefix offsets (device memory).
void launchCascadeEpilogue(const float* z, const float* u, const int* rankOffsets, int orders, int d, int n,
                           int totalRank, int activation, float* y, void* stream = nullptr);

// out = Σ_{i<count} nodes[i] (each `size` floats); nodePointers is a device array.
void launchSumMatrices(const float* const* nodePointers, int count, long long size, float* out);

}  // namespace rankflow::kernels
