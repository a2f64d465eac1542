//! A small, fast, seedable random number generator: SplitMix64 (Steele, Lea & Flood 2014).
//! Every widget that draws random numbers takes its seed from the URL so a link reproduces a run.

/// SplitMix64: state += φ·2⁶⁴; output = mix(state).
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n) (n > 0), by Lemire's multiply-shift (bias < n/2⁶⁴).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Shuffles `items` in place, every order equally likely (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// Fills `out` with independent standard normal numbers, two at a time by Marsaglia's polar
    /// method: draw (u, v) uniform in the unit disc, s = u² + v², then u·√(−2 ln s / s) and
    /// v·√(−2 ln s / s) are N(0, 1). No trigonometry, one logarithm per pair; u and v take 24
    /// random bits each from one 64-bit draw (f32 precision, which is all the networks use).
    pub fn fill_normal(&mut self, out: &mut [f32]) {
        const STEP: f32 = 1.0 / (1u32 << 23) as f32; // 24-bit uniform on [−1, 1)
        let mut k = 0;
        while k < out.len() {
            let r = self.next_u64();
            let u = (r >> 40) as f32 * STEP - 1.0;
            let v = ((r >> 8) & 0xFF_FFFF) as f32 * STEP - 1.0;
            let s = u * u + v * v;
            if s >= 1.0 || s == 0.0 {
                continue;
            }
            let f = (-2.0 * s.ln() / s).sqrt();
            out[k] = u * f;
            if k + 1 < out.len() {
                out[k + 1] = v * f;
            }
            k += 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_splitmix64_sequence() {
        // First outputs of SplitMix64 seeded with 0 (reference C implementation by Vigna).
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn floats_and_ranges_stay_in_bounds() {
        let mut r = Rng::new(7);
        for _ in 0..10_000 {
            let x = r.next_f64();
            assert!((0.0..1.0).contains(&x));
            assert!(r.below(10) < 10);
        }
    }

    #[test]
    fn polar_normals_have_mean_zero_and_unit_variance() {
        let mut r = Rng::new(9);
        let mut x = vec![0.0f32; 200_001];
        r.fill_normal(&mut x);
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        let within1 = x.iter().filter(|v| v.abs() < 1.0).count() as f64 / n;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "variance {var}");
        assert!((within1 - 0.6827).abs() < 0.005, "P(|x| < 1) = {within1}"); // Φ(1) − Φ(−1)
    }
}
