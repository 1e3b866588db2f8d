"""Function words (Vietnamese syllables, English words) that say nothing about what a story is about."""

from __future__ import annotations

VIETNAMESE = frozenset(
    """
    và của là các những được có trong cho với không đã này một khi để theo từ tại cũng đang sẽ thì mà như
    về ra vào bị đến lên xuống nhiều hơn rất lại còn nên nhưng vì do nếu sau trước trên dưới đó đây ấy nào
    gì ai họ chúng tôi ta mình vẫn đều chỉ mới vừa cùng hay hoặc tuy nhiên nữa thế vậy cả mỗi mọi bởi
    qua khác cần phải việc điều ở nơi lúc rồi đi hiện nay cho biết thêm
    """.split()
)

ENGLISH = frozenset(
    """
    a an the and or but if then than so of to in on at by for with from into onto about over under as is
    are was were be been being am do does did have has had having will would shall should can could may
    might must it its it's this that these those there here he him his she her hers they them their we us
    our you your i me my not no nor also just only very too more most some any all each every such own
    which who whom whose what when where why how said says say told after before while during up down out
    off again further once s t don't can't won't isn't
    """.split()
)


def for_language(lang: str) -> frozenset[str]:
    return ENGLISH if lang == "en" else VIETNAMESE
