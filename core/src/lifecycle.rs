//! The foundation-model lifecycle as a small directed graph.
//!
//! Six stages run in order — data selection → pre-training → optimisation → evaluation → deployment →
//! feedback — and feedback closes the loop: depending on what monitoring shows, the model goes back
//! to optimisation (fine-tuning), to pre-training (continued pre-training on new data) or all the way
//! to data selection (re-training). A [`Tour`] walks that graph one stage at a time and counts laps.

use crate::query::Choice;

/// A stage of the lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// Adjust weights on new task data: back to optimisation.
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
