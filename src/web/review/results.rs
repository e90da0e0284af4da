//! The bureau's results of a call's review (filled in below).
