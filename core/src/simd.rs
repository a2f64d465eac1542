//! The two vector kernels every network in the app spends its time in, written so that they run
//! four lanes at a time in the browser whatever the optimisation level of the final build (the
//! release build optimises for size, which turns off LLVM's automatic vectoriser).
//!
//! With `simd128` on wasm32 they use explicit 128-bit instructions; elsewhere plain loops that the
//! native optimiser vectorises. Both versions add in the same order, so results are bit-identical
//! between the browser and the native tests.

/// Σₙ aₙ·bₙ, with eight running sums s₀…s₇ (sₖ takes every eighth product), combined as
/// ((s₀+s₄)+(s₁+s₅))+((s₂+s₆)+(s₃+s₇)), then the remainder in order.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let body = n - n % 8;
    let mut s = dot8(&a[..body], &b[..body]);
    for (x, y) in a[body..].iter().zip(&b[body..]) {
        s += x * y;
    }
    s
}

/// y ← y + α·x
#[inline]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let n = x.len().min(y.len());
        let body = n - n % 4;
        let va = f32x4_splat(alpha);
        let mut i = 0;
        while i < body {
            // SAFETY: i + 4 ≤ body ≤ len of both slices; unaligned v128 loads/stores are allowed.
            unsafe {
                let px = x.as_ptr().add(i) as *const v128;
                let py = y.as_mut_ptr().add(i) as *mut v128;
                v128_store(py, f32x4_add(v128_load(py), f32x4_mul(va, v128_load(px))));
            }
            i += 4;
        }
        for k in body..n {
            y[k] += alpha * x[k];
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    for (y, &x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

/// Four dot products against one shared vector, [x₀·w, x₁·w, x₂·w, x₃·w], each summed in exactly
/// the order of [`dot`] (so the results are bit-identical to four calls), but every chunk of `w`
/// is loaded once for four rows: a matrix product over many rows reads each weight a quarter as often.
#[inline]
pub fn dot4(x: [&[f32]; 4], w: &[f32]) -> [f32; 4] {
    let n = w.len();
    let body = n - n % 8;
    let mut s = dot8x4(x, &w[..body]);
    for (k, xk) in x.iter().enumerate() {
        for (a, b) in xk[body..n].iter().zip(&w[body..]) {
            s[k] += a * b;
        }
    }
    s
}

/// y ← y + α₀·x₀ + α₁·x₁ + α₂·x₂ + α₃·x₃, added term by term in that order for each element (so
/// bit-identical to four [`axpy`] calls), loading and storing y once instead of four times.
#[inline]
pub fn axpy4(alpha: [f32; 4], x: [&[f32]; 4], y: &mut [f32]) {
    let n = y.len();
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let body = n - n % 4;
        let va = alpha.map(|a| f32x4_splat(a));
        assert!(x.iter().all(|x| x.len() >= n));
        let mut i = 0;
        while i < body {
            // SAFETY: i + 4 ≤ body ≤ n ≤ the length of every slice (asserted above).
            unsafe {
                let py = y.as_mut_ptr().add(i) as *mut v128;
                let mut acc = v128_load(py);
                for k in 0..4 {
                    acc = f32x4_add(acc, f32x4_mul(va[k], v128_load(x[k].as_ptr().add(i) as *const v128)));
                }
                v128_store(py, acc);
            }
            i += 4;
        }
        for j in body..n {
            y[j] = (((y[j] + alpha[0] * x[0][j]) + alpha[1] * x[1][j]) + alpha[2] * x[2][j]) + alpha[3] * x[3][j];
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let (x0, x1, x2, x3) = (&x[0][..n], &x[1][..n], &x[2][..n], &x[3][..n]);
        for j in 0..n {
            y[j] = (((y[j] + alpha[0] * x0[j]) + alpha[1] * x1[j]) + alpha[2] * x2[j]) + alpha[3] * x3[j];
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn dot8x4(x: [&[f32]; 4], w: &[f32]) -> [f32; 4] {
    use core::arch::wasm32::*;
    let zero = f32x4_splat(0.0);
    let (mut lo, mut hi) = ([zero; 4], [zero; 4]);
    assert!(x.iter().all(|x| x.len() >= w.len()));
    let mut i = 0;
    while i < w.len() {
        // SAFETY: w.len() is a multiple of 8 and every row is at least that long (asserted above).
        unsafe {
            let pw = w.as_ptr().add(i) as *const v128;
            let (w0, w1) = (v128_load(pw), v128_load(pw.add(1)));
            for k in 0..4 {
                let px = x[k].as_ptr().add(i) as *const v128;
                lo[k] = f32x4_add(lo[k], f32x4_mul(v128_load(px), w0));
                hi[k] = f32x4_add(hi[k], f32x4_mul(v128_load(px.add(1)), w1));
            }
        }
        i += 8;
    }
    [0, 1, 2, 3].map(|k| {
        let p = f32x4_add(lo[k], hi[k]);
        (f32x4_extract_lane::<0>(p) + f32x4_extract_lane::<1>(p)) + (f32x4_extract_lane::<2>(p) + f32x4_extract_lane::<3>(p))
    })
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn dot8x4(x: [&[f32]; 4], w: &[f32]) -> [f32; 4] {
    x.map(|x| dot8(&x[..w.len()], w))
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn dot8(a: &[f32], b: &[f32]) -> f32 {
    use core::arch::wasm32::*;
    let (mut lo, mut hi) = (f32x4_splat(0.0), f32x4_splat(0.0));
    let mut i = 0;
    while i < a.len() {
        // SAFETY: the caller passes slices of equal length, a multiple of 8.
        unsafe {
            let pa = a.as_ptr().add(i) as *const v128;
            let pb = b.as_ptr().add(i) as *const v128;
            lo = f32x4_add(lo, f32x4_mul(v128_load(pa), v128_load(pb)));
            hi = f32x4_add(hi, f32x4_mul(v128_load(pa.add(1)), v128_load(pb.add(1))));
        }
        i += 8;
    }
    let p = f32x4_add(lo, hi); // (s₀+s₄, s₁+s₅, s₂+s₆, s₃+s₇)
    (f32x4_extract_lane::<0>(p) + f32x4_extract_lane::<1>(p)) + (f32x4_extract_lane::<2>(p) + f32x4_extract_lane::<3>(p))
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn dot8(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_agree_with_plain_sums() {
        for n in [0, 1, 7, 8, 9, 150, 257] {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let exact: f64 = a.iter().zip(&b).map(|(&x, &y)| x as f64 * y as f64).sum();
            assert!((dot(&a, &b) as f64 - exact).abs() < 1e-4, "n = {n}");
            let mut y = b.clone();
            axpy(0.5, &a, &mut y);
            assert!(y.iter().zip(a.iter().zip(&b)).all(|(&y, (&x, &b))| y == b + 0.5 * x));
            let rows: Vec<Vec<f32>> = (0..4).map(|k| (0..n).map(|i| ((i * 7 + k * 3) as f32 * 0.13).sin()).collect()).collect();
            let xs = [&rows[0][..], &rows[1][..], &rows[2][..], &rows[3][..]];
            assert_eq!(dot4(xs, &a), xs.map(|x| dot(x, &a)), "n = {n}");
            let (mut one, mut four) = (b.clone(), b.clone());
            let alpha = [0.5, -1.25, 2.0, 0.75];
            for k in 0..4 {
                axpy(alpha[k], xs[k], &mut one);
            }
            axpy4(alpha, xs, &mut four);
            assert_eq!(one, four, "n = {n}");
        }
    }
}
