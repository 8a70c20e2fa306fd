//! The progress bar on stderr (`-r progress`, or alongside the cli reporter on a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use baton::runner::{Execution, Masker, Reporter, RunSummary};

/// Shows requests done out of requests planned.
pub struct ProgressReporter {
    bar: ProgressBar,
}

impl ProgressReporter {
    /// A bar drawn on stderr.
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        ProgressReporter { bar }
    }
}

impl Default for ProgressReporter {
    fn default() -> Self {
        Self::new()
    }
}

impl Reporter for ProgressReporter {
    fn start(&mut self, _name: &str, items: usize, iterations: usize) {
        self.bar.set_length((items * iterations) as u64);
    }

    fn before_item(&mut self, path: &[String]) {
        self.bar.set_message(path.join(" / "));
    }

    fn item(&mut self, _execution: &Execution, _masker: &Masker) {
        self.bar.inc(1);
    }

    fn done(&mut self, _summary: &RunSummary) {
        self.bar.finish_and_clear();
    }
}
