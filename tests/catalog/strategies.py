"""Hypothesis strategies over a template's parameter space."""

from decimal import Decimal

from hypothesis import strategies as st

from apps.catalog.spec import ParameterKind, ParameterSpec, TemplateSpec, json_number

PRINTABLE = st.characters(categories=("L", "N", "P", "S"), include_characters=" ")


def in_domain(parameter: ParameterSpec) -> st.SearchStrategy:
    """Values each parameter accepts on its own (range, step, options, length)."""
    match parameter.kind:
        case ParameterKind.NUMBER:
            step = parameter.step or Decimal("0.1")
            count = int((parameter.max_value - parameter.min_value) / step)
            return st.integers(0, count).map(lambda k: json_number(parameter.min_value + k * step))
        case ParameterKind.CHOICE | ParameterKind.COLOUR:
            return st.sampled_from([option.value for option in parameter.options])
        case _:
            text = st.text(PRINTABLE, max_size=parameter.max_length).map(str.strip)
            return text if not parameter.required else text.filter(bool)


def configurations(spec: TemplateSpec) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({p.key: in_domain(p) for p in spec.parameters})


def invalid_value(parameter: ParameterSpec) -> st.SearchStrategy:
    """Values a parameter must refuse whatever the others are."""
    wrong_type = st.sampled_from([[1], {"a": 1}, True])
    match parameter.kind:
        case ParameterKind.NUMBER:
            below = st.integers(1, 10**6).map(lambda d: json_number(parameter.min_value - d))
            above = st.integers(1, 10**6).map(lambda d: json_number(parameter.max_value + d))
            options = [
                below,
                above,
                wrong_type,
                st.sampled_from(["", "abc", "NaN", "Infinity", "1e999999", "__import__('os')", "9**9**9"]),
            ]
            if parameter.step:
                off = parameter.step / 2
                options.append(st.just(json_number(parameter.min_value + off)))
            return st.one_of(options)
        case ParameterKind.CHOICE | ParameterKind.COLOUR:
            known = {option.value for option in parameter.options}
            return st.one_of(
                wrong_type,
                st.text(max_size=20).filter(
                    lambda v: v.strip() not in known and v.lower().strip() not in known
                ),
            )
        case _:
            too_long = st.text(
                PRINTABLE, min_size=parameter.max_length + 1, max_size=parameter.max_length + 50
            ).filter(lambda v: len(v.strip()) > parameter.max_length)
            control = st.just("line one\nline two")
            return st.one_of(too_long, control, wrong_type)
