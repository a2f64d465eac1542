//! The foundation-model lifecycle as a small directed graph.
//!
//! Six stages run in order — data selection → pre-training → optimisation → evaluation → deployment →
//! feedback — and feedback closes the loop: depending on what monitoring shows, the model goes back
//! to optimisation (fine-tuning), to pre-training (continued pre-training on new data) or all the way
//! to data selection (re-training). A [`Tour`] walks that graph one stage at a time and counts laps.

use crate::query::Choice;

/// A stage of the lifecycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Stage {
    #[default]
    DataSelection,
    PreTraining,
    Optimization,
    Evaluation,
    Deployment,
    Feedback,
}

impl Choice for Stage {
    const ALL: &'static [Stage] = &[
        Stage::DataSelection,
        Stage::PreTraining,
        Stage::Optimization,
        Stage::Evaluation,
        Stage::Deployment,
        Stage::Feedback,
    ];
    fn key(self) -> &'static str {
        match self {
            Stage::DataSelection => "data",
            Stage::PreTraining => "pretraining",
            Stage::Optimization => "optimization",
            Stage::Evaluation => "evaluation",
            Stage::Deployment => "deployment",
            Stage::Feedback => "feedback",
        }
    }
}

impl Stage {
    /// Position in the main sequence, 0-based.
    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|&s| s == self).unwrap_or(0)
    }

    /// The stage's display name.
    pub fn title(self) -> &'static str {
        match self {
            Stage::DataSelection => "Data selection",
            Stage::PreTraining => "Pre-training",
            Stage::Optimization => "Optimization",
            Stage::Evaluation => "Evaluation",
            Stage::Deployment => "Deployment",
            Stage::Feedback => "Feedback & improvement",
        }
    }

    /// A one-word label that fits on a phone-sized diagram.
    pub fn short_title(self) -> &'static str {
        match self {
            Stage::DataSelection => "Data",
            Stage::PreTraining => "Pre-train",
            Stage::Optimization => "Optimize",
            Stage::Evaluation => "Evaluate",
            Stage::Deployment => "Deploy",
            Stage::Feedback => "Feedback",
        }
    }

    /// The next stage; after feedback, the stage that `route` loops back to.
    pub fn next(self, route: Route) -> Stage {
        match self {
            Stage::Feedback => route.target(),
            s => Stage::ALL[s.index() + 1],
        }
    }

    /// The stage before this one on the main sequence (data selection has none).
    pub fn prev(self) -> Option<Stage> {
        self.index().checked_sub(1).map(|i| Stage::ALL[i])
    }
}

/// How feedback sends the model round the loop again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Route {
    /// Adjust weights on new task data: back to optimisation.
    #[default]
    FineTuning,
    /// Keep pre-training on fresh unlabelled data: back to pre-training.
    ContinuedPretraining,
    /// Start again with a new data mix: back to data selection.
    Retraining,
}

impl Choice for Route {
    const ALL: &'static [Route] = &[Route::FineTuning, Route::ContinuedPretraining, Route::Retraining];
    fn key(self) -> &'static str {
        match self {
            Route::FineTuning => "fine-tuning",
            Route::ContinuedPretraining => "continued-pretraining",
            Route::Retraining => "retraining",
        }
    }
}

impl Route {
    /// The stage this route returns to.
    pub fn target(self) -> Stage {
        match self {
            Route::FineTuning => Stage::Optimization,
            Route::ContinuedPretraining => Stage::PreTraining,
            Route::Retraining => Stage::DataSelection,
        }
    }

    /// The route's display name.
    pub fn title(self) -> &'static str {
        match self {
            Route::FineTuning => "Fine-tune",
            Route::ContinuedPretraining => "Continue pre-training",
            Route::Retraining => "Re-train",
        }
    }
}

/// An edge of the lifecycle graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: Stage,
    pub to: Stage,
    /// Whether this edge is the feedback loop (drawn differently).
    pub is_loop: bool,
}

/// Every edge: the five forward edges, then one loop edge per route.
pub fn edges() -> Vec<Edge> {
    let forward = Stage::ALL
        .windows(2)
        .map(|w| Edge { from: w[0], to: w[1], is_loop: false });
    let loops = Route::ALL
        .iter()
        .map(|r| Edge { from: Stage::Feedback, to: r.target(), is_loop: true });
    forward.chain(loops).collect()
}

/// A walk around the lifecycle: the current stage, the chosen loop route and the laps completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tour {
    pub stage: Stage,
    pub route: Route,
    pub laps: u32,
}

impl Tour {
    pub fn new(stage: Stage, route: Route) -> Tour {
        Tour { stage, route, laps: 0 }
    }

    /// Moves one stage on; passing through feedback completes a lap.
    pub fn step(&mut self) -> Edge {
        let from = self.stage;
        self.stage = from.next(self.route);
        let is_loop = from == Stage::Feedback;
        if is_loop {
            self.laps += 1;
        }
        Edge { from, to: self.stage, is_loop }
    }

    /// The number of steps one lap takes with the current route (6 for re-training, fewer otherwise).
    pub fn lap_length(&self) -> usize {
        Stage::ALL.len() - self.route.target().index()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_sequence_runs_in_order() {
        let mut s = Stage::DataSelection;
        let mut seen = vec![s];
        while s != Stage::Feedback {
            s = s.next(Route::Retraining);
            seen.push(s);
        }
        assert_eq!(seen, Stage::ALL);
        assert_eq!(Stage::DataSelection.prev(), None);
        assert_eq!(Stage::Feedback.prev(), Some(Stage::Deployment));
    }

    #[test]
    fn feedback_loops_back_to_the_route_target() {
        assert_eq!(Stage::Feedback.next(Route::FineTuning), Stage::Optimization);
        assert_eq!(Stage::Feedback.next(Route::ContinuedPretraining), Stage::PreTraining);
        assert_eq!(Stage::Feedback.next(Route::Retraining), Stage::DataSelection);
    }

    #[test]
    fn a_tour_comes_back_after_one_lap_length() {
        for &route in Route::ALL {
            let mut t = Tour::new(route.target(), route);
            for _ in 0..t.lap_length() {
                t.step();
            }
            assert_eq!(t.stage, route.target(), "{route:?}");
            assert_eq!(t.laps, 1);
        }
        assert_eq!(Tour::new(Stage::DataSelection, Route::FineTuning).lap_length(), 4);
    }

    #[test]
    fn graph_has_five_forward_and_three_loop_edges_and_every_stage_is_reachable() {
        let e = edges();
        assert_eq!(e.iter().filter(|e| !e.is_loop).count(), 5);
        assert_eq!(e.iter().filter(|e| e.is_loop).count(), 3);
        for s in Stage::ALL {
            assert!(*s == Stage::DataSelection || e.iter().any(|e| e.to == *s));
            assert!(e.iter().any(|e| e.from == *s), "{s:?} is a dead end");
        }
    }

    #[test]
    fn keys_are_unique_and_round_trip() {
        for &s in Stage::ALL {
            assert_eq!(Stage::from_key(s.key()), Some(s));
        }
        for &r in Route::ALL {
            assert_eq!(Route::from_key(r.key()), Some(r));
        }
    }
}

/// Where the diagram draws each stage and edge, for a canvas of a given size.
pub mod diagram {
    use super::{Stage, Edge};
    use crate::geom::{ellipse_points, quad_bezier, toward, Point};
    use crate::query::Choice;

    /// Node centres and sizes for a `width × height` canvas (device pixels).
    #[derive(Clone, Debug, PartialEq)]
    pub struct Layout {
        pub centre: Point,
        /// Centres of the stage nodes, in [`Stage::ALL`] order, clockwise from 12 o'clock.
        pub nodes: Vec<Point>,
        pub node_radius: f64,
    }

    impl Layout {
        /// Six nodes on an ellipse that leaves `label_w` beside the leftmost and rightmost nodes and
        /// `label_h` below the lowest node for their labels.
        pub fn new(width: f64, height: f64, node_radius: f64, label_w: f64, label_h: f64) -> Layout {
            let centre = Point::new(width / 2.0, height / 2.0 - label_h / 4.0);
            // The side nodes sit at 60° from the vertical: x = c ± rx·sin 60°.
            let rx = ((width / 2.0 - node_radius - label_w) / (3f64.sqrt() / 2.0)).min(width / 2.0 - node_radius).max(node_radius);
            let ry = (height / 2.0 - node_radius - label_h).max(node_radius);
            Layout { centre, nodes: ellipse_points(Stage::ALL.len(), centre, rx, ry), node_radius }
        }

        pub fn node(&self, s: Stage) -> Point {
            self.nodes[s.index()]
        }

        /// The stage whose node (enlarged by `slack` for fingers) contains `p`.
        pub fn stage_at(&self, p: Point, slack: f64) -> Option<Stage> {
            crate::geom::hit_circle(&self.nodes, self.node_radius + slack, p).map(|i| Stage::ALL[i])
        }

        /// The quadratic Bézier (start, control, end) an edge is drawn along. Neighbours on the
        /// ellipse bow outward; edges across the loop bow towards the centre. Start and end sit on
        /// the nodes' rims.
        pub fn edge_curve(&self, e: Edge) -> (Point, Point, Point) {
            let (a, b) = (self.node(e.from), self.node(e.to));
            let mid = a.lerp(b, 0.5);
            let steps = (e.to.index() + Stage::ALL.len() - e.from.index()) % Stage::ALL.len();
            let neighbours = steps == 1;
            let ctrl = if neighbours {
                self.centre.lerp(mid, 1.25)
            } else {
                // Across the loop: bend a little to one side so edges through the centre don't overlap.
                let (dx, dy) = (b.x - a.x, b.y - a.y);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let bend = 0.12 * len;
                Point::new(mid.x - dy / len * bend, mid.y + dx / len * bend).lerp(self.centre, 0.3)
            };
            let start = toward(a, ctrl, self.node_radius);
            let end = toward(b, ctrl, self.node_radius + 2.0);
            (start, ctrl, end)
        }

        /// The point a fraction `t` of the way along edge `e`.
        pub fn along(&self, e: Edge, t: f64) -> Point {
            let (s, c, f) = self.edge_curve(e);
            quad_bezier(s, c, f, t.clamp(0.0, 1.0))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::lifecycle::{edges, Route};

        #[test]
        fn nodes_fit_inside_the_canvas_with_room_for_labels() {
            for (w, h) in [(640.0, 500.0), (320.0, 250.0), (1200.0, 900.0)] {
                let l = Layout::new(w, h, 20.0, 30.0, 18.0);
                for p in &l.nodes {
                    assert!(p.x - 20.0 - 30.0 >= -1e-9 && p.x + 20.0 + 30.0 <= w + 1e-9, "{p:?} in {w}×{h}");
                    assert!(p.y - 20.0 >= 0.0 && p.y + 20.0 + 18.0 <= h, "{p:?} in {w}×{h}");
                }
            }
        }

        #[test]
        fn hit_test_finds_each_node_and_misses_the_centre() {
            let l = Layout::new(640.0, 500.0, 24.0, 60.0, 18.0);
            for &s in Stage::ALL {
                assert_eq!(l.stage_at(l.node(s), 0.0), Some(s));
            }
            assert_eq!(l.stage_at(l.centre, 4.0), None);
        }

        #[test]
        fn edges_start_and_end_on_node_rims() {
            let l = Layout::new(640.0, 500.0, 24.0, 60.0, 18.0);
            for e in edges() {
                let (s, _, f) = l.edge_curve(e);
                assert!((s.dist(l.node(e.from)) - 24.0).abs() < 1e-9);
                assert!((f.dist(l.node(e.to)) - 26.0).abs() < 1e-9);
                assert_eq!(l.along(e, 0.0), s);
            }
            let _ = Route::ALL;
        }
    }
}
