//! CloudWatch metric math, the part of it alarms use on one value per period: arithmetic
//! (`+ - * /`, unary minus, parentheses, numbers) over the ids of the alarm's other queries, as
//! the stack's `running-below-desired` alarm writes `desired - running`. Pure: parsed once,
//! evaluated per period. A missing operand gives no value for that period (CloudWatch leaves
//! the timestamp out); a division by zero gives none too. Functions (FILL, IF, METRICS…) are
//! not understood: the parse says so, and the agent leaves that alarm alone.

use std::collections::HashMap;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Number(f64),
    Id(String),
    Neg(Box<Expr>),
    Binary(Box<Expr>, char, Box<Expr>),
}

/// Parse `text`, or say what in it is not understood.
pub fn parse(text: &str) -> Result<Expr, String> {
    let tokens = tokens(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let expr = parser.sum()?;
    match parser.tokens.get(parser.at) {
        None => Ok(expr),
        Some(t) => Err(format!("unexpected {t:?} in {text:?}")),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Id(String),
    Op(char),
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if "+-*/()".contains(c) {
            out.push(Token::Op(c));
            chars.next();
        } else if c.is_ascii_digit() || c == '.' {
            let mut number = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '.') {
                number.push(d);
                chars.next();
            }
            let n = number
                .parse()
                .map_err(|_| format!("{number:?} is not a number"))?;
            out.push(Token::Number(n));
        } else if c.is_alphabetic() {
            let mut id = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_alphanumeric() || **d == '_') {
                id.push(d);
                chars.next();
            }
            if chars.peek() == Some(&'(') {
                return Err(format!("the function {id} is not supported"));
            }
            out.push(Token::Id(id));
        } else {
            return Err(format!("{c:?} is not supported"));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next_op(&self, ops: &str) -> Option<char> {
        match self.tokens.get(self.at) {
            Some(Token::Op(c)) if ops.contains(*c) => Some(*c),
            _ => None,
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.product()?;
        while let Some(op) = self.next_op("+-") {
            self.at += 1;
            left = Expr::Binary(Box::new(left), op, Box::new(self.product()?));
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while let Some(op) = self.next_op("*/") {
            self.at += 1;
            left = Expr::Binary(Box::new(left), op, Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Op('-')) => Ok(Expr::Neg(Box::new(self.unary()?))),
            Some(Token::Op('(')) => {
                let inner = self.sum()?;
                if self.next_op(")").is_none() {
                    return Err("a '(' is not closed".into());
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Number(n)) => Ok(Expr::Number(n)),
            Some(Token::Id(id)) => Ok(Expr::Id(id)),
            Some(Token::Op(c)) => Err(format!("unexpected {c:?}")),
            None => Err("the expression ends too soon".into()),
        }
    }
}

impl Expr {
    /// The ids the expression reads.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            Expr::Number(_) => vec![],
            Expr::Id(id) => vec![id.as_str()],
            Expr::Neg(e) => e.ids(),
            Expr::Binary(a, _, b) => [a.ids(), b.ids()].concat(),
        }
    }

    /// The value for one period, given each id's value in it (None: no data).
    pub fn eval(&self, values: &HashMap<String, Option<f64>>) -> Option<f64> {
        match self {
            Expr::Number(n) => Some(*n),
            Expr::Id(id) => values.get(id).copied().flatten(),
            Expr::Neg(e) => e.eval(values).map(|v| -v),
            Expr::Binary(a, op, b) => {
                let (a, b) = (a.eval(values)?, b.eval(values)?);
                match op {
                    '+' => Some(a + b),
                    '-' => Some(a - b),
                    '*' => Some(a * b),
                    _ => (b != 0.0).then(|| a / b),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, Option<f64>)]) -> HashMap<String, Option<f64>> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn the_stack_s_expression_and_precedence() {
        let missing = parse("desired - running").unwrap();
        assert_eq!(missing.ids(), ["desired", "running"]);
        let v = values(&[("desired", Some(2.0)), ("running", Some(1.0))]);
        assert_eq!(missing.eval(&v), Some(1.0));
        assert_eq!(
            parse("100 * (a - b) / a")
                .unwrap()
                .eval(&values(&[("a", Some(4.0)), ("b", Some(1.0))])),
            Some(75.0)
        );
        assert_eq!(
            parse("-a + 2 * 3")
                .unwrap()
                .eval(&values(&[("a", Some(1.0))])),
            Some(5.0)
        );
    }

    #[test]
    fn missing_data_and_division_by_zero_give_no_value() {
        let e = parse("a / b").unwrap();
        assert_eq!(e.eval(&values(&[("a", Some(1.0)), ("b", None)])), None);
        assert_eq!(e.eval(&values(&[("a", Some(1.0)), ("b", Some(0.0))])), None);
        assert_eq!(e.eval(&values(&[("a", Some(1.0))])), None);
    }

    #[test]
    fn functions_and_bad_syntax_are_refused_with_the_reason() {
        assert_eq!(
            parse("FILL(m1, 0)").unwrap_err(),
            "the function FILL is not supported"
        );
        assert!(parse("(a - b").unwrap_err().contains("not closed"));
        assert!(parse("a -").unwrap_err().contains("ends too soon"));
        assert!(parse("a b").unwrap_err().contains("unexpected"));
    }
}
