//! Exit codes, in one place.

/// How `baton` exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The run passed.
    Success = 0,
    /// A test, script or request failed, or the run was interrupted.
    Failure = 1,
    /// Bad flags, or an input file that could not be loaded.
    Usage = 2,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}
