//! Three-valued logic for requests whose context holds unknown values.

/// True, false, or undecided because it depends on a value the caller cannot know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Depends on an unknown context value.
    Unknown,
}

impl Tri {
    pub(crate) fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    pub(crate) fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    pub(crate) fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    pub(crate) fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }

    /// The value under an assumption about unknowns: `optimistic` resolves them towards
    /// allowing (an undecided Allow applies, an undecided Deny does not).
    pub(crate) fn resolve(self, optimistic: bool, for_allow: bool) -> bool {
        match self {
            Tri::True => true,
            Tri::False => false,
            Tri::Unknown => optimistic == for_allow,
        }
    }
}
