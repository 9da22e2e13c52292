//! The page stack behind Back and Home.

/// Where the resident is and how they got there. `P` is the UI's page type.
#[derive(Debug, Clone)]
pub struct Navigator<P: Copy + PartialEq> {
    home: P,
    stack: Vec<P>,
}

impl<P: Copy + PartialEq> Navigator<P> {
    pub fn new(home: P) -> Self {
        Navigator { home, stack: vec![home] }
    }

    pub fn current(&self) -> P {
        *self.stack.last().expect("the stack always holds home")
    }

    /// Opens `page`; opening the page already shown does not stack it twice.
    pub fn go(&mut self, page: P) -> P {
        if self.current() != page {
            self.stack.push(page);
        }
        page
    }

    /// One step back; at home, stays home.
    pub fn back(&mut self) -> P {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
        self.current()
    }

    pub fn home(&mut self) -> P {
        self.stack.truncate(1);
        self.home
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_and_home() {
        let mut n = Navigator::new(0);
        n.go(1);
        n.go(2);
        n.go(2);
        assert_eq!(n.back(), 1);
        assert_eq!(n.back(), 0);
        assert_eq!(n.back(), 0);
        n.go(3);
        assert_eq!(n.home(), 0);
        assert_eq!(n.current(), 0);
    }
}
