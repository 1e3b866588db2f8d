"""In a group only its owner and administrators (as Telegram reports them) change what it follows."""

from __future__ import annotations

import pytest

from tests.bot.conftest import ADMIN, BotUnderTest, button_data

GROUP = -500123
OWNER, GROUP_ADMIN, MEMBER = 2001, 2002, 2003
REFUSAL = "Chỉ quản trị viên của nhóm này mới được thay đổi đăng ký và cài đặt của nhóm."


@pytest.fixture
def group(bot: BotUnderTest) -> int:
    bot.standin.bot_added_to_group(GROUP, OWNER, title="Hội nông dân <xã> Sông Xanh")
    bot.standin.set_admins(GROUP, [GROUP_ADMIN], owner_id=OWNER)
    return GROUP


def in_group(bot: BotUnderTest, user_id: int):
    return bot.chat(user_id, chat_id=GROUP, chat_type="group", title="Hội nông dân <xã> Sông Xanh")


@pytest.mark.parametrize("command", ["/subscribe all", "/settings times 06:00", "/unsubscribe all"])
async def test_members_are_refused_politely(bot: BotUnderTest, group: int, command: str) -> None:
    reply = await in_group(bot, MEMBER).reply_to(command)

    assert reply["visible_text"] == REFUSAL
    subscriber = await bot.subscriber(GROUP)
    assert subscriber is None or (subscriber.all_sources, subscriber.digest_times) == (False, None)


@pytest.mark.parametrize("user_id", [OWNER, GROUP_ADMIN])
async def test_owner_and_admins_change_the_groups_settings(
    bot: BotUnderTest, group: int, user_id: int
) -> None:
    reply = await in_group(bot, user_id).reply_to("/subscribe all")

    assert reply["visible_text"].startswith("Bạn đã theo dõi tất cả nguồn tin")
    subscriber = await bot.subscriber(GROUP)
    assert (subscriber.chat_type, subscriber.title, subscriber.all_sources) == (
        "group",
        "Hội nông dân <xã> Sông Xanh",
        True,
    )


async def test_members_see_settings_but_their_presses_are_refused(bot: BotUnderTest, group: int) -> None:
    member = in_group(bot, MEMBER)
    menu = await member.reply_to("/settings")
    assert menu["visible_text"].startswith("Cài đặt")

    answer, changes = await member.press_for_answer(menu, button_data(menu, "Báo khi không có tin"))

    assert answer["text"] == REFUSAL and answer["show_alert"]
    assert changes == []
    assert (await bot.subscriber(GROUP)).no_news_notice is None


async def test_group_admin_presses_a_settings_button(bot: BotUnderTest, group: int) -> None:
    admin = in_group(bot, GROUP_ADMIN)
    menu = await admin.reply_to("/settings")

    answer, _edit = await admin.press(menu, button_data(menu, "Báo khi không có tin"))

    assert answer["text"] == "Đã lưu."
    assert (await bot.subscriber(GROUP)).no_news_notice is True


async def test_a_bare_unknown_command_in_a_group_is_left_to_other_bots(bot: BotUnderTest, group: int) -> None:
    member = in_group(bot, MEMBER)
    before = len(bot.standin.messages_for(GROUP))

    bot.standin.user_sends(MEMBER, "/weather", chat_id=GROUP, chat_type="group")
    addressed = await member.reply_to("/weather@bantin_test_bot")

    assert addressed["visible_text"].startswith("Tôi không hiểu lệnh /weather@bantin_test_bot.")
    assert len(bot.standin.messages_for(GROUP)) == before + 1


FORUM, TOPIC = -1000000600123, 42


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/latest", "Chưa có tin nào."),
        ("/help", "Những việc tôi có thể làm"),
        ("/subscribe all", REFUSAL),
        ("/frobnicate@bantin_test_bot", "Tôi không hiểu lệnh /frobnicate@bantin_test_bot."),
    ],
)
async def test_a_command_in_a_forum_topic_is_answered_in_that_topic(
    bot: BotUnderTest, command: str, expected: str
) -> None:
    bot.standin.bot_added_to_group(FORUM, OWNER, title="Diễn đàn xã", chat_type="supergroup")
    in_topic = bot.chat(
        MEMBER, chat_id=FORUM, chat_type="supergroup", title="Diễn đàn xã", message_thread_id=TOPIC
    )

    reply = await in_topic.reply_to(command)

    assert reply["visible_text"].startswith(expected)
    assert reply["message_thread_id"] == TOPIC  # not the forum's General topic


# The bot's admin commands are no business of a group's members: /help lists them to an admin in a
# private chat only, and in a group says where to find them.
@pytest.mark.parametrize(
    ("language_code", "pointer"),
    [
        ("vi", "Các lệnh dành cho quản trị viên của bot có trong /help khi bạn nhắn riêng cho tôi."),
        ("en", "The bot's admin commands are in /help in a private chat with me."),
    ],
)
async def test_help_from_the_bots_admin_in_a_group_keeps_the_admin_commands_private(
    bot: BotUnderTest, group: int, language_code: str, pointer: str
) -> None:
    in_the_group = bot.chat(ADMIN, chat_id=GROUP, chat_type="group", language_code=language_code)
    group_help = (await in_the_group.reply_to("/help"))["visible_text"]
    private_help = (await bot.chat(ADMIN).reply_to("/help"))["visible_text"]

    assert "/addfeed" not in group_help and "/broadcast" not in group_help
    assert pointer in group_help.splitlines()
    assert "/addfeed" in private_help and pointer not in private_help.splitlines()


async def test_help_from_a_member_in_a_group_says_nothing_of_admin_commands(
    bot: BotUnderTest, group: int
) -> None:
    group_help = (await in_group(bot, MEMBER).reply_to("/help"))["visible_text"]

    assert "/addfeed" not in group_help and "nhắn riêng" not in group_help
