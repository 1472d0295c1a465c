//! Condition evaluation per `docs/semantics.md` §1.4: missing keys, `…IfExists`, `Null`, set
//! operators, negated operators as NOR, typed comparisons, policy variables, unknown values.

use base64::Engine as _;

use super::Context;
use super::context::{ScalarRef, Slot, Variable};
use super::record::Recorder;
use super::tri::Tri;
use crate::arn::wildcard::{Case, Colons, Pattern};
use crate::policy::template::Template;
use crate::policy::{BaseOperator, Condition, SetQualifier, ValueTest};

/// All conditions of a statement (AND).
pub(crate) fn all_hold<R: Recorder>(
    conditions: &[Condition],
    context: &Context,
    recorder: &mut R,
) -> Tri {
    let mut result = Tri::True;
    for condition in conditions {
        result = result.and(holds(condition, context, recorder));
        if result == Tri::False && !R::TRACING {
            return Tri::False;
        }
    }
    result
}

/// One (operator, key) condition.
pub(crate) fn holds<R: Recorder>(
    condition: &Condition,
    context: &Context,
    recorder: &mut R,
) -> Tri {
    let operator = condition.operator;
    let negated = operator.base.is_negated();
    let items = match context.slot(&condition.key_name) {
        Some(Slot::Unknown) => {
            recorder.unknown_key(&condition.key);
            return Tri::Unknown;
        }
        Some(Slot::Values(items)) if !items.is_empty() => items,
        absent_or_empty => {
            if absent_or_empty.is_none() {
                recorder.missing_key(&condition.key);
            }
            if let ValueTest::Null(values) = &condition.test {
                return Tri::from_bool(values.iter().any(|must_be_absent| *must_be_absent));
            }
            if operator.if_exists {
                return Tri::True;
            }
            return Tri::from_bool(match operator.set {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => negated,
            });
        }
    };
    if let ValueTest::Null(values) = &condition.test {
        return Tri::from_bool(values.iter().any(|must_be_absent| !*must_be_absent));
    }
    // Per request value: does it match some policy value (the positive operator)?
    match operator.set {
        None => {
            let mut any = Tri::False;
            for value in items.iter() {
                any = any.or(matches_some(condition, value, context, recorder));
                if any == Tri::True {
                    break;
                }
            }
            if negated { any.not() } else { any }
        }
        Some(qualifier) => {
            let for_all = qualifier == SetQualifier::ForAllValues;
            // ForAllValues: AND over the request values; ForAnyValue: OR.
            let mut result = Tri::from_bool(for_all);
            for value in items.iter() {
                let m = matches_some(condition, value, context, recorder);
                let m = if negated { m.not() } else { m };
                result = if for_all { result.and(m) } else { result.or(m) };
                if result == Tri::from_bool(!for_all) {
                    break;
                }
            }
            result
        }
    }
}

/// Whether `value` matches some policy value under the positive form of the operator.
fn matches_some<R: Recorder>(
    condition: &Condition,
    value: ScalarRef<'_>,
    context: &Context,
    recorder: &mut R,
) -> Tri {
    let base = condition.operator.base;
    match &condition.test {
        ValueTest::Strings(templates) => {
            let (case, like) = match base {
                BaseOperator::StringLike | BaseOperator::StringNotLike => (Case::Sensitive, true),
                BaseOperator::StringEqualsIgnoreCase | BaseOperator::StringNotEqualsIgnoreCase => {
                    (Case::Insensitive, false)
                }
                _ => (Case::Sensitive, false),
            };
            any_template(templates, context, recorder, |pattern| {
                if like {
                    pattern.matches(value.text, case, Colons::Free)
                } else {
                    pattern.equals(value.text, case)
                }
            })
        }
        ValueTest::Arns(templates) => any_template(templates, context, recorder, |pattern| {
            pattern.matches(value.text, Case::Sensitive, Colons::ConditionArn)
        }),
        ValueTest::Numbers(numbers) => Tri::from_bool(value.value.number.is_some_and(|n| {
            numbers.iter().any(|&p| match base {
                BaseOperator::NumericLessThan => n < p,
                BaseOperator::NumericLessThanEquals => n <= p,
                BaseOperator::NumericGreaterThan => n > p,
                BaseOperator::NumericGreaterThanEquals => n >= p,
                _ => n == p,
            })
        })),
        ValueTest::Dates(dates) => Tri::from_bool(value.value.date.is_some_and(|d| {
            dates.iter().any(|&p| match base {
                BaseOperator::DateLessThan => d < p,
                BaseOperator::DateLessThanEquals => d <= p,
                BaseOperator::DateGreaterThan => d > p,
                BaseOperator::DateGreaterThanEquals => d >= p,
                _ => d == p,
            })
        })),
        ValueTest::Bools(bools) => {
            Tri::from_bool(value.value.boolean.is_some_and(|b| bools.contains(&b)))
        }
        ValueTest::Binary(binaries) => {
            Tri::from_bool(binaries.iter().any(|p| binary_equals(p, value.text)))
        }
        ValueTest::Ips(nets) => Tri::from_bool(
            value
                .value
                .ip
                .is_some_and(|ip| nets.iter().any(|net| net.contains(ip))),
        ),
        // Handled before values are compared.
        ValueTest::Null(_) => Tri::False,
    }
}

/// OR of `test` over templates, stopping at the first match.
fn any_template<R: Recorder>(
    templates: &[Template],
    context: &Context,
    recorder: &mut R,
    test: impl Fn(Pattern<'_>) -> bool,
) -> Tri {
    let mut result = Tri::False;
    for template in templates {
        result = result.or(template_matches(template, context, recorder, &test));
        if result == Tri::True {
            break;
        }
    }
    result
}

/// Resolves a template's variables and applies `test` to the pieces; a variable without a
/// value matches nothing, an unknown one makes the outcome unknown.
pub(crate) fn template_matches<R: Recorder>(
    template: &Template,
    context: &Context,
    recorder: &mut R,
    test: impl FnOnce(Pattern<'_>) -> bool,
) -> Tri {
    if let Some((text, shape)) = template.as_plain() {
        return Tri::from_bool(test(Pattern::Plain(text, shape)));
    }
    let mut unknown = false;
    for key in template.variable_keys() {
        match context.variable(key) {
            Variable::Value(_) => {}
            Variable::Unknown => {
                recorder.unknown_key(key.lower());
                unknown = true;
            }
            Variable::Missing => recorder.missing_key(key.lower()),
        }
    }
    if unknown {
        return Tri::Unknown;
    }
    let lookup = |key: &_| match context.variable(key) {
        Variable::Value(v) => Some(v),
        Variable::Unknown | Variable::Missing => None,
    };
    Tri::from_bool(template.with_pieces(lookup, |pieces| {
        pieces.is_some_and(|pieces| test(Pattern::Pieces(pieces)))
    }))
}

/// `BinaryEquals`: the request value is base64 as well; a value that is not base64 compares
/// as its raw bytes. Decodes on the stack (values up to 768 bytes) to keep `decide`
/// allocation-free.
fn binary_equals(policy: &[u8], request: &str) -> bool {
    let mut buffer = [0u8; 768];
    match base64::engine::general_purpose::STANDARD.decode_slice(request, &mut buffer) {
        Ok(len) => buffer.get(..len) == Some(policy),
        Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
            base64::engine::general_purpose::STANDARD
                .decode(request)
                .is_ok_and(|bytes| bytes == policy)
        }
        Err(base64::DecodeSliceError::DecodeError(_)) => request.as_bytes() == policy,
    }
}
