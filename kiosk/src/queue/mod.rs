//! Queue tickets: numbering in SQLite, the ticket printer, the spoken number, and the interface
//! to the hall's calling system; and pages residents take away on the same printer
//! ([`takeaway`]).
//!
//! A ticket is reserved (committed, fsynced) before a byte goes to the printer and settled after
//! the printer answers, so a crash can burn a number but never issue it twice, and a printed
//! ticket is never forgotten. See [`desk::TicketDesk::take`].
//!
//! The queue's services are hall content ([`crate::content::hall::queue`]); this module only issues
//! tickets for them.

pub mod calling;
pub mod desk;
pub mod printer;
pub mod takeaway;
pub mod ticket_print;
pub mod tickets;
