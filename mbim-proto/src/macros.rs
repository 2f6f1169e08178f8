//! Macros for open wire newtypes: `wire_enum!` for enumerations and
//! `wire_flags!` for bit sets. Unknown values survive a decode/encode round
//! trip because the newtype stores the raw integer; names are only for display.

/// An open enumeration: `struct Name(pub u32)` with named consts.
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($ty:ty) {
            $( $(#[$cmeta:meta])* $konst:ident = $val:expr => $text:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        $vis struct $name(pub $ty);

        impl $name {
            $( $(#[$cmeta])* pub const $konst: $name = $name($val); )*

            /// The spec name of this value, if it has one.
            pub fn name(self) -> Option<&'static str> {
                $( if self.0 == Self::$konst.0 { return Some($text); } )*
                None
            }

            /// Every named value (for tests, CLIs and documentation).
            pub const ALL: &'static [$name] = &[$($name($val)),*];
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> Self { $name(v) }
        }
        impl From<$name> for $ty {
            fn from(v: $name) -> Self { v.0 }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(n) => write!(f, "{} ({})", n, self.0),
                    None => write!(f, "unknown ({:#x})", self.0),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "unknown ({:#x})", self.0),
                }
            }
        }

        #[cfg(feature = "arbitrary")]
        impl ::proptest::arbitrary::Arbitrary for $name {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<$name>;
            fn arbitrary_with(_: ()) -> Self::Strategy {
                use ::proptest::prelude::*;
                // Mostly named values; sometimes an unknown one, which must survive.
                prop_oneof![
                    8 => ::proptest::sample::select(Self::ALL.to_vec()),
                    1 => any::<$ty>().prop_map($name),
                ].boxed()
            }
        }

        #[cfg(feature = "serde")]
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.name() {
                    Some(n) => s.serialize_str(n),
                    None => ::serde::Serialize::serialize(&self.0, s),
                }
            }
        }
    };
}

/// An open bit set: `struct Name(pub u32)` with named single-bit consts.
#[macro_export]
macro_rules! wire_flags {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($ty:ty) {
            $( $(#[$cmeta:meta])* $konst:ident = $val:expr => $text:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        $vis struct $name(pub $ty);

        impl $name {
            pub const NONE: $name = $name(0);
            $( $(#[$cmeta])* pub const $konst: $name = $name($val); )*

            /// Every named flag.
            pub const ALL: &'static [$name] = &[$($name($val)),*];

            /// Whether every bit of `other` is set.
            pub fn contains(self, other: $name) -> bool { self.0 & other.0 == other.0 && other.0 != 0 }

            /// Names of the set flags, in bit order, and the leftover unknown bits.
            pub fn names(self) -> (Vec<&'static str>, $ty) {
                let mut rest = self.0;
                let mut out = Vec::new();
                $( { let v: $ty = Self::$konst.0; if v != 0 && self.0 & v == v { out.push($text); rest &= !v; } } )*
                (out, rest)
            }
        }

        impl ::std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, o: $name) -> $name { $name(self.0 | o.0) }
        }
        impl ::std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, o: $name) { self.0 |= o.0 }
        }
        impl From<$ty> for $name {
            fn from(v: $ty) -> Self { $name(v) }
        }
        impl From<$name> for $ty {
            fn from(v: $name) -> Self { v.0 }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let (names, rest) = self.names();
                if names.is_empty() && rest == 0 {
                    return f.write_str("none");
                }
                let mut first = true;
                for n in names {
                    if !first { f.write_str(", ")?; }
                    f.write_str(n)?;
                    first = false;
                }
                if rest != 0 {
                    if !first { f.write_str(", ")?; }
                    write!(f, "{:#x}", rest)?;
                }
                Ok(())
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{} ({:#x})", self, self.0)
            }
        }

        #[cfg(feature = "arbitrary")]
        impl ::proptest::arbitrary::Arbitrary for $name {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<$name>;
            fn arbitrary_with(_: ()) -> Self::Strategy {
                use ::proptest::prelude::*;
                let all: Vec<$ty> = Self::ALL.iter().map(|f| f.0).collect();
                prop_oneof![
                    8 => ::proptest::sample::subsequence(all.clone(), 0..=all.len())
                        .prop_map(|v| $name(v.into_iter().fold(0, |a, b| a | b))),
                    1 => any::<$ty>().prop_map($name),
                ].boxed()
            }
        }

        #[cfg(feature = "serde")]
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeSeq;
                let (names, rest) = self.names();
                let mut seq = s.serialize_seq(None)?;
                for n in names { seq.serialize_element(n)?; }
                if rest != 0 { seq.serialize_element(&rest)?; }
                seq.end()
            }
        }
    };
}
