//! Plane geometry for diagrams: points on an ellipse, quadratic Bézier curves and arrowheads.
//!
//! Coordinates are in device pixels with y pointing down, as on a canvas.

/// A point in the plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    /// Euclidean distance ‖p − q‖₂.
    pub fn dist(self, q: Point) -> f64 {
        (self.x - q.x).hypot(self.y - q.y)
    }

    /// Linear interpolation (1 − t)·p + t·q.
    pub fn lerp(self, q: Point, t: f64) -> Point {
        Point::new(self.x + (q.x - self.x) * t, self.y + (q.y - self.y) * t)
    }
}

/// `n` points spaced evenly on the ellipse with centre `c` and radii `rx`, `ry`, clockwise on screen,
/// the first at 12 o'clock: pₖ = c + (rx·sin θₖ, −ry·cos θₖ) with θₖ = 2πk/n.
pub fn ellipse_points(n: usize, c: Point, rx: f64, ry: f64) -> Vec<Point> {
    (0..n)
        .map(|k| {
            let theta = std::f64::consts::TAU * k as f64 / n as f64;
            Point::new(c.x + rx * theta.sin(), c.y - ry * theta.cos())
        })
        .collect()
}

/// Quadratic Bézier B(t) = (1−t)²·p₀ + 2(1−t)t·p₁ + t²·p₂.
pub fn quad_bezier(p0: Point, p1: Point, p2: Point, t: f64) -> Point {
    let u = 1.0 - t;
    Point::new(
        u * u * p0.x + 2.0 * u * t * p1.x + t * t * p2.x,
        u * u * p0.y + 2.0 * u * t * p1.y + t * t * p2.y,
    )
}

/// `segments + 1` points along the quadratic Bézier from p₀ to p₂ with control point p₁.
pub fn quad_bezier_polyline(p0: Point, p1: Point, p2: Point, segments: usize) -> Vec<Point> {
    let segments = segments.max(1);
    (0..=segments)
        .map(|i| quad_bezier(p0, p1, p2, i as f64 / segments as f64))
        .collect()
}

/// The point at distance `r` from `from` towards `to` (where an edge leaves a node of radius `r`).
/// Returns `from` itself when the two points coincide.
pub fn toward(from: Point, to: Point, r: f64) -> Point {
    let d = from.dist(to);
    if d == 0.0 {
        from
    } else {
        from.lerp(to, r / d)
    }
}

/// The triangle of an arrowhead whose tip is at `tip`, pointing away from `from`, with the given
/// length and half-width.
pub fn arrowhead(from: Point, tip: Point, length: f64, half_width: f64) -> [Point; 3] {
    let d = from.dist(tip);
    let (ux, uy) = if d == 0.0 { (1.0, 0.0) } else { ((tip.x - from.x) / d, (tip.y - from.y) / d) };
    let base = Point::new(tip.x - ux * length, tip.y - uy * length);
    [
        tip,
        Point::new(base.x - uy * half_width, base.y + ux * half_width),
        Point::new(base.x + uy * half_width, base.y - ux * half_width),
    ]
}

/// Index of the first circle (centre, common radius `r`) that contains `p`, if any.
pub fn hit_circle(centres: &[Point], r: f64, p: Point) -> Option<usize> {
    centres.iter().position(|c| c.dist(p) <= r)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-9;

    #[test]
    fn ellipse_points_start_at_twelve_and_go_clockwise() {
        let pts = ellipse_points(4, Point::new(0.0, 0.0), 2.0, 1.0);
        let want = [(0.0, -1.0), (2.0, 0.0), (0.0, 1.0), (-2.0, 0.0)];
        for (p, (x, y)) in pts.iter().zip(want) {
            assert!((p.x - x).abs() < EPS && (p.y - y).abs() < EPS, "{p:?} vs {x},{y}");
        }
    }

    #[test]
    fn bezier_hits_its_end_points_and_the_closed_form_midpoint() {
        let (a, c, b) = (Point::new(0.0, 0.0), Point::new(1.0, 2.0), Point::new(2.0, 0.0));
        assert_eq!(quad_bezier(a, c, b, 0.0), a);
        assert_eq!(quad_bezier(a, c, b, 1.0), b);
        // B(½) = ¼p₀ + ½p₁ + ¼p₂
        let m = quad_bezier(a, c, b, 0.5);
        assert!((m.x - 1.0).abs() < EPS && (m.y - 1.0).abs() < EPS);
        assert_eq!(quad_bezier_polyline(a, c, b, 8).len(), 9);
        assert_eq!(quad_bezier_polyline(a, c, b, 0).len(), 2);
    }

    #[test]
    fn arrowhead_is_symmetric_about_its_axis() {
        let [tip, l, r] = arrowhead(Point::new(0.0, 0.0), Point::new(10.0, 0.0), 4.0, 2.0);
        assert_eq!(tip, Point::new(10.0, 0.0));
        assert!((l.x - 6.0).abs() < EPS && (r.x - 6.0).abs() < EPS);
        assert!((l.y + r.y).abs() < EPS && (l.y.abs() - 2.0).abs() < EPS);
        // Degenerate input still gives finite points.
        let tri = arrowhead(Point::new(1.0, 1.0), Point::new(1.0, 1.0), 4.0, 2.0);
        assert!(tri.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
    }

    #[test]
    fn toward_and_hit_test() {
        let p = toward(Point::new(0.0, 0.0), Point::new(0.0, 10.0), 3.0);
        assert!((p.y - 3.0).abs() < EPS);
        assert_eq!(toward(Point::new(1.0, 1.0), Point::new(1.0, 1.0), 3.0), Point::new(1.0, 1.0));
        let cs = [Point::new(0.0, 0.0), Point::new(10.0, 0.0)];
        assert_eq!(hit_circle(&cs, 2.0, Point::new(9.0, 1.0)), Some(1));
        assert_eq!(hit_circle(&cs, 2.0, Point::new(5.0, 0.0)), None);
    }
}

/// Splits a polyline into dashes: alternating drawn runs of length `on` and gaps of length `off`,
/// measured along the line. Returns the drawn runs.
pub fn dashes(line: &[Point], on: f64, off: f64) -> Vec<Vec<Point>> {
    let mut out = Vec::new();
    if line.len() < 2 || on <= 0.0 {
        return out;
    }
    let off = off.max(0.0);
    let mut drawing = true;
    let mut left = on; // length left in the current dash or gap
    let mut current = vec![line[0]];
    for w in line.windows(2) {
        let (mut a, b) = (w[0], w[1]);
        let mut seg = a.dist(b);
        while seg > left {
            let p = a.lerp(b, left / seg);
            if drawing {
                current.push(p);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![p];
            }
            seg -= left;
            a = p;
            drawing = !drawing;
            left = if drawing { on } else { off };
            if left == 0.0 {
                drawing = !drawing;
                left = on;
                current = vec![p];
            }
        }
        left -= seg;
        if drawing {
            current.push(b);
        }
    }
    if drawing && current.len() >= 2 {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod dash_tests {
    use super::*;

    #[test]
    fn dashes_cover_the_on_fraction_of_a_straight_line() {
        let line = [Point::new(0.0, 0.0), Point::new(10.0, 0.0)];
        let d = dashes(&line, 2.0, 1.0);
        // 0–2, 3–5, 6–8, 9–10
        let starts: Vec<f64> = d.iter().map(|r| r[0].x).collect();
        assert_eq!(starts, [0.0, 3.0, 6.0, 9.0]);
        let ends: Vec<f64> = d.iter().map(|r| r.last().unwrap().x).collect();
        assert_eq!(ends, [2.0, 5.0, 8.0, 10.0]);
    }

    #[test]
    fn dashes_follow_corners_and_handle_degenerate_input() {
        let line = [Point::new(0.0, 0.0), Point::new(1.0, 0.0), Point::new(1.0, 3.0)];
        let d = dashes(&line, 2.0, 0.5);
        assert_eq!(d[0], vec![Point::new(0.0, 0.0), Point::new(1.0, 0.0), Point::new(1.0, 1.0)]);
        assert!(dashes(&line[..1], 2.0, 1.0).is_empty());
        assert_eq!(dashes(&line, 2.0, 0.0).iter().map(|r| r.len()).sum::<usize>() > 0, true);
    }
}
