"""A chat that stops following a source (/unsubscribe, or leaving "all sources" for a list) as it
sees its digests: a story it already got through that source never comes again through another."""

import pytest

from jobs.digest import compose_due_digests
from news.config import Config
from news.telegram_html import strip_tags
from storage.sources import remove_source
from storage.subscribers import get_subscriber, subscribe, unsubscribe, unsubscribe_all
from tests.delivery.world import (
    NOW,
    add_sighting,
    add_sources,
    add_story,
    add_subscribers,
    outbox_rows,
)
from tests.jobs.test_digest_source_removal import EVENING, last_digest_text

CHAT = 1001


async def _leave(db, how: str, src: dict[str, int]) -> None:
    async with db.transaction() as session:
        chat = await get_subscriber(session, CHAT)
        if how == "unsubscribe":
            assert await unsubscribe(session, chat, src["Báo Cũ"], NOW)
        else:  # chooses the other source afresh
            await unsubscribe_all(session, chat, NOW)
            assert await subscribe(session, chat, src["Tuổi Trẻ"], NOW)


@pytest.mark.parametrize("follows", ["all sources", "both sources"])
@pytest.mark.parametrize("how", ["unsubscribe", "start over with the other"])
@pytest.mark.parametrize("second_source_carries_it", ["before leaving", "after leaving"])
async def test_a_story_sent_is_not_sent_again_after_the_chat_leaves_the_source_that_brought_it(
    fresh_db, follows, how, second_source_carries_it
):
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    await add_subscribers(fresh_db, 1, sources=None if follows == "all sources" else list(src.values()))
    await compose_due_digests(fresh_db, Config(), NOW)
    assert "Khai giảng năm học mới" in await last_digest_text(fresh_db)

    if second_source_carries_it == "before leaving":
        await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await _leave(fresh_db, how, src)
    if second_source_carries_it == "after leaving":
        await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])
    await compose_due_digests(fresh_db, Config(), EVENING)

    evening = await last_digest_text(fresh_db)
    assert "Giá lúa tăng vụ đông" in evening and "Khai giảng năm học mới" not in evening


async def test_a_source_left_followed_again_and_then_removed_is_removed(fresh_db):
    """Leaving, following again and the source's removal each remember the chat once."""
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    await add_subscribers(fresh_db, 1, sources=list(src.values()))
    await _leave(fresh_db, "unsubscribe", src)
    async with fresh_db.transaction() as session:
        assert await subscribe(session, await get_subscriber(session, CHAT), src["Báo Cũ"], NOW)
    async with fresh_db.transaction() as session:
        assert await remove_source(session, "Báo Cũ", NOW)


@pytest.mark.parametrize("how", ["unsubscribe", "start over with the other"])
async def test_a_story_the_left_source_told_after_the_chat_left_comes_from_the_source_it_follows(
    fresh_db, how
):
    """The chat never got what the source told after it left: that story still comes when a source
    it follows carries it, even though the left source told it first."""
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    await add_subscribers(fresh_db, 1, sources=list(src.values()))
    await _leave(fresh_db, how, src)
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    await compose_due_digests(fresh_db, Config(), NOW)
    await add_sighting(fresh_db, story, src["Tuổi Trẻ"])

    await compose_due_digests(fresh_db, Config(), EVENING)

    assert "Khai giảng năm học mới" in await last_digest_text(fresh_db)


async def test_a_story_got_through_a_source_left_and_later_removed_is_not_sent_again(fresh_db):
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    await add_subscribers(fresh_db, 1, sources=list(src.values()))
    await compose_due_digests(fresh_db, Config(), NOW)
    await _leave(fresh_db, "unsubscribe", src)
    async with fresh_db.transaction() as session:
        assert await remove_source(session, "Báo Cũ", NOW)
    await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])

    await compose_due_digests(fresh_db, Config(), EVENING)

    evening = await last_digest_text(fresh_db)
    assert "Giá lúa tăng vụ đông" in evening and "Khai giảng năm học mới" not in evening


@pytest.mark.parametrize("then", ["leaves it", "still follows it", "it is removed"])
async def test_a_story_a_source_told_before_the_chat_followed_it_comes_from_a_source_it_follows(
    fresh_db, then
):
    """The chat followed Báo Cũ only after the morning digest (and maybe no longer does): what Báo Cũ
    told before never reached it, so the story comes when Tuổi Trẻ, which it follows, carries it."""
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    await add_subscribers(fresh_db, 1, sources=[src["Tuổi Trẻ"]], no_news_notice=False)
    await compose_due_digests(fresh_db, Config(), NOW)
    async with fresh_db.transaction() as session:
        assert await subscribe(session, await get_subscriber(session, CHAT), src["Báo Cũ"], NOW)
    if then == "leaves it":
        await _leave(fresh_db, "unsubscribe", src)
    elif then == "it is removed":
        async with fresh_db.transaction() as session:
            assert await remove_source(session, "Báo Cũ", NOW)
    await add_sighting(fresh_db, story, src["Tuổi Trẻ"])

    await compose_due_digests(fresh_db, Config(), EVENING)

    assert any("Khai giảng năm học mới" in strip_tags(row.text) for row in await outbox_rows(fresh_db))


async def test_a_story_told_before_the_follow_and_sent_after_it_is_not_sent_again(fresh_db):
    """Báo Cũ told it after the chat's last digest and before the chat followed it: the next digest
    brought it through Báo Cũ, so it does not come again through Tuổi Trẻ once the chat left Báo Cũ."""
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    await add_subscribers(fresh_db, 1, sources=[src["Tuổi Trẻ"]], no_news_notice=False)
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    async with fresh_db.transaction() as session:
        assert await subscribe(session, await get_subscriber(session, CHAT), src["Báo Cũ"], NOW)
    await compose_due_digests(fresh_db, Config(), NOW)
    assert "Khai giảng năm học mới" in await last_digest_text(fresh_db)
    await _leave(fresh_db, "unsubscribe", src)
    await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])

    await compose_due_digests(fresh_db, Config(), EVENING)

    evening = await last_digest_text(fresh_db)
    assert "Giá lúa tăng vụ đông" in evening and "Khai giảng năm học mới" not in evening


@pytest.mark.parametrize("then", ["leaves it again", "it is removed"])
async def test_a_story_got_in_an_earlier_follow_of_a_source_is_not_sent_again(fresh_db, then):
    """Followed, left, followed again: the first follow still tells what the chat already got."""
    src = await add_sources(fresh_db, "Báo Cũ", "Tuổi Trẻ")
    story = await add_story(fresh_db, "Khai giảng năm học mới", [src["Báo Cũ"]])
    await add_subscribers(fresh_db, 1, sources=list(src.values()))
    await compose_due_digests(fresh_db, Config(), NOW)
    await _leave(fresh_db, "unsubscribe", src)
    async with fresh_db.transaction() as session:
        assert await subscribe(session, await get_subscriber(session, CHAT), src["Báo Cũ"], NOW)
    if then == "leaves it again":
        await _leave(fresh_db, "unsubscribe", src)
    else:
        async with fresh_db.transaction() as session:
            assert await remove_source(session, "Báo Cũ", NOW)
    await add_sighting(fresh_db, story, src["Tuổi Trẻ"])
    await add_story(fresh_db, "Giá lúa tăng vụ đông", [src["Tuổi Trẻ"]])

    await compose_due_digests(fresh_db, Config(), EVENING)

    evening = await last_digest_text(fresh_db)
    assert "Giá lúa tăng vụ đông" in evening and "Khai giảng năm học mới" not in evening
