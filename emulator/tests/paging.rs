//! Paging of the four collections at their boundaries, followed exactly as SDK 1.2.0 follows nextLink
//! (parse the query, re-quote the values, overwrite api-version, drop nothing else).
//!
//! Sizes: messages and threads at 0, 1, 200, 201 and 1000 items (a new thread already holds two system
//! messages, so 0 and 1 messages are listed through `startTime`); participants at 1, 200, 201 and 250
//! (a thread holds at most 250, and the caller must itself be a participant to list them, so an empty
//! list is only observable through `skip`); read receipts at 0, 1 and 20 (the service refuses receipts
//! on threads with more than 20 participants and keeps one receipt per reader).

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Checks the page shapes of a listing of `total` items with `page` as maxPageSize: no page is larger,
/// every page but the last is full, and there is no more than one trailing empty page.
fn check_pages(paged: &Paged, total: usize, page: usize, what: &str) {
    let sizes = &paged.page_sizes;
    assert_eq!(
        paged.items.len(),
        total,
        "{what}: item count (pages {sizes:?})"
    );
    assert!(
        sizes.iter().all(|s| *s <= page),
        "{what}: a page exceeds {page}: {sizes:?}"
    );
    let (last, full) = sizes.split_last().expect("at least one page");
    assert!(
        full.iter().all(|s| *s == page),
        "{what}: short page before the end: {sizes:?}"
    );
    let expected_pages = total.div_ceil(page).max(1);
    let trailing_empty = total > 0 && total % page == 0 && *last == 0;
    assert!(
        sizes.len() == expected_pages || (trailing_empty && sizes.len() == expected_pages + 1),
        "{what}: {} pages for {total} items of {page}: {sizes:?}",
        sizes.len()
    );
}

fn unique_ids(items: &[Value], key: &dyn Fn(&Value) -> String, what: &str) -> HashSet<String> {
    let ids: Vec<String> = items.iter().map(key).collect();
    let set: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "{what}: an item was returned twice");
    set
}

fn id_key(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn participant_key(v: &Value) -> String {
    raw_id_of(&v["communicationIdentifier"])
}

/// Sends `count` messages with up to 4 requests in flight.
async fn send_many(api: &Api, token: &str, thread: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    let mut set = tokio::task::JoinSet::new();
    let per = count.div_ceil(4);
    for w in 0..4 {
        let (api, token, thread) = (api.clone(), token.to_string(), thread.to_string());
        let n = per.min(count.saturating_sub(w * per));
        set.spawn(async move {
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                out.push(api.message(&token, &thread, &format!("w{w} m{i}")).await);
            }
            out
        });
    }
    while let Some(r) = set.join_next().await {
        ids.extend(r.expect("sender task"));
    }
    assert_eq!(ids.len(), count);
    ids
}

async fn check_messages(api: &Api, token: &str, thread: &str, total: usize) {
    let base = format!("/chat/threads/{}/messages", quote(thread));
    for page in [200usize, 37] {
        let paged = api
            .list_all(token, &format!("{base}?maxPageSize={page}"))
            .await;
        let what = format!("{total} messages by {page}");
        check_pages(&paged, total, page, &what);
        unique_ids(&paged.items, &id_key, &what);
        let seqs: Vec<u64> = paged
            .items
            .iter()
            .map(|m| m["sequenceId"].as_str().unwrap().parse().unwrap())
            .collect();
        let expected: Vec<u64> = (1..=total as u64).rev().collect();
        assert_eq!(
            seqs, expected,
            "{what}: newest first, every sequenceId once"
        );
    }
    // Without maxPageSize the service picks a page size of its own, at most 200.
    let paged = api.list_all(token, &base).await;
    assert_eq!(paged.items.len(), total);
    assert!(paged.page_sizes.iter().all(|s| *s <= 200));
}

#[tokio::test]
async fn messages_page_correctly_at_2_200_201_and_1000_items() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "paging", &[]).await;
    // Two system messages (participantAdded, topicUpdated) are already there.
    check_messages(&api, &a.token, &thread, 2).await;
    send_many(&api, &a.token, &thread, 198).await;
    check_messages(&api, &a.token, &thread, 200).await;
    send_many(&api, &a.token, &thread, 1).await;
    check_messages(&api, &a.token, &thread, 201).await;
    send_many(&api, &a.token, &thread, 799).await;
    check_messages(&api, &a.token, &thread, 1000).await;
}

#[tokio::test]
async fn messages_page_correctly_at_0_and_1_items_after_start_time() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "paging", &[]).await;
    let base = format!("/chat/threads/{}/messages", quote(&thread));

    let future = chrono::Utc::now() + chrono::Duration::days(1);
    let none = api
        .list_all(
            &a.token,
            &format!(
                "{base}?maxPageSize=1&startTime={}",
                start_time_param(future)
            ),
        )
        .await;
    check_pages(&none, 0, 1, "0 messages");

    // A second apart from the system messages, so even second-precision timestamps separate them.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let id = api.message(&a.token, &thread, "only").await;
    let m = api
        .chat(&a.token, Method::GET, &format!("{base}/{id}"), None)
        .await;
    let created = ts(&m.expect(200).json()["createdOn"], "createdOn");
    for page in [1usize, 200] {
        let one = api
            .list_all(
                &a.token,
                &format!(
                    "{base}?maxPageSize={page}&startTime={}",
                    start_time_param(created)
                ),
            )
            .await;
        check_pages(&one, 1, page, "1 message");
        assert_eq!(one.items[0]["id"], id.as_str());
    }
}

#[tokio::test]
async fn message_cursor_is_stable_while_new_messages_arrive() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "paging", &[]).await;
    send_many(&api, &a.token, &thread, 18).await;

    let first = api
        .chat(
            &a.token,
            Method::GET,
            &format!("/chat/threads/{}/messages?maxPageSize=5", quote(&thread)),
            None,
        )
        .await;
    let page1 = first.expect(200).json();
    let mut seen: Vec<u64> = page1["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sequenceId"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(seen, vec![20, 19, 18, 17, 16]);

    // New messages after page 1 must not shift what the remaining pages return.
    send_many(&api, &a.token, &thread, 3).await;
    let mut next = page1["nextLink"].as_str().expect("nextLink").to_string();
    loop {
        let r = api
            .raw_url(
                Method::GET,
                &sdk_next_url(&next, CHAT_API),
                &[("authorization", format!("Bearer {}", a.token))],
                None,
            )
            .await;
        let page = r.expect(200).json();
        seen.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["sequenceId"].as_str().unwrap().parse::<u64>().unwrap()),
        );
        match page["nextLink"].as_str() {
            Some(n) if !n.is_empty() => next = n.to_string(),
            _ => break,
        }
    }
    assert_eq!(seen, (1..=20).rev().collect::<Vec<u64>>());
}

#[tokio::test]
async fn next_link_followed_at_another_api_version_still_continues() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "paging", &[]).await;
    send_many(&api, &a.token, &thread, 8).await;
    let r = api
        .chat_v(
            "2021-03-07",
            &a.token,
            Method::GET,
            &format!("/chat/threads/{}/messages?maxPageSize=4", quote(&thread)),
            None,
        )
        .await;
    let page = r.expect(200).json();
    let next = page["nextLink"].as_str().expect("nextLink");
    // The SDK overwrites api-version with its own when following the link.
    let r2 = api
        .raw_url(
            Method::GET,
            &sdk_next_url(next, "2025-03-15"),
            &[("authorization", format!("Bearer {}", a.token))],
            None,
        )
        .await;
    let page2 = r2.expect(200).json();
    let seqs: Vec<&str> = page2["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sequenceId"].as_str().unwrap())
        .collect();
    assert_eq!(seqs, vec!["6", "5", "4", "3"]);
}

async fn check_threads(api: &Api, token: &str, created: &HashSet<String>) {
    for page in [200usize, 64] {
        let paged = api
            .list_all(token, &format!("/chat/threads?maxPageSize={page}"))
            .await;
        let what = format!("{} threads by {page}", created.len());
        check_pages(&paged, created.len(), page, &what);
        assert_eq!(&unique_ids(&paged.items, &id_key, &what), created, "{what}");
    }
}

#[tokio::test]
async fn threads_page_correctly_at_0_1_200_201_and_1000_items() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let mut created = HashSet::new();
    check_threads(&api, &a.token, &created).await;
    for target in [1usize, 200, 201, 1000] {
        let missing = target - created.len();
        let mut set = tokio::task::JoinSet::new();
        for w in 0..4 {
            let (api, token) = (api.clone(), a.token.clone());
            let n = missing / 4 + usize::from(w < missing % 4);
            set.spawn(async move {
                let mut out = Vec::new();
                for i in 0..n {
                    out.push(api.thread(&token, &format!("w{w} t{i}"), &[]).await);
                }
                out
            });
        }
        while let Some(r) = set.join_next().await {
            created.extend(r.expect("creator task"));
        }
        assert_eq!(created.len(), target);
        check_threads(&api, &a.token, &created).await;
    }
}

async fn check_participants(api: &Api, token: &str, thread: &str, expected: &HashSet<String>) {
    let base = format!("/chat/threads/{}/participants", quote(thread));
    for page in [200usize, 50, 1] {
        let paged = api
            .list_all(token, &format!("{base}?maxPageSize={page}"))
            .await;
        let what = format!("{} participants by {page}", expected.len());
        check_pages(&paged, expected.len(), page, &what);
        assert_eq!(&unique_ids(&paged.items, &participant_key, &what), expected);
    }
    // skip past the end is an empty page, which is how "0 participants" looks to a member.
    let empty = api
        .list_all(
            token,
            &format!("{base}?maxPageSize=10&skip={}", expected.len()),
        )
        .await;
    assert!(empty.items.is_empty(), "skip past the end lists nothing");
}

#[tokio::test]
async fn participants_page_correctly_at_1_200_201_and_250_items() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "big", &[]).await;
    let mut members: HashSet<String> = HashSet::from([a.id.clone()]);
    check_participants(&api, &a.token, &thread, &members).await;
    for target in [200usize, 201, 250] {
        let fresh: Vec<String> = (members.len()..target)
            .map(|_| chat_user(&emu).id)
            .collect();
        api.add_all(&a.token, &thread, &fresh).await;
        members.extend(fresh);
        check_participants(&api, &a.token, &thread, &members).await;
    }
}

#[tokio::test]
async fn read_receipts_page_correctly_at_0_1_and_20_items() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let readers: Vec<_> = (0..19).map(|_| chat_user(&emu)).collect();
    let ids: Vec<&str> = readers.iter().map(|r| r.id.as_str()).collect();
    let thread = api.thread(&a.token, "receipts", &ids).await;
    let m = api.message(&a.token, &thread, "read me").await;
    let base = format!("/chat/threads/{}/readReceipts", quote(&thread));
    let receipt = |token: String| {
        let (api, base, m) = (api.clone(), base.clone(), m.clone());
        async move {
            api.chat(
                &token,
                Method::POST,
                &base,
                Some(json!({"chatMessageId": m})),
            )
            .await
            .expect(200);
        }
    };
    let sender_key = |v: &Value| raw_id_of(&v["senderCommunicationIdentifier"]);

    let mut readers_so_far = HashSet::new();
    for page in [1usize, 3, 200] {
        let p = api
            .list_all(&a.token, &format!("{base}?maxPageSize={page}"))
            .await;
        check_pages(&p, 0, page, "0 receipts");
    }
    receipt(a.token.clone()).await;
    readers_so_far.insert(a.id.clone());
    for page in [1usize, 3, 200] {
        let p = api
            .list_all(&a.token, &format!("{base}?maxPageSize={page}"))
            .await;
        check_pages(&p, 1, page, "1 receipt");
        assert_eq!(
            unique_ids(&p.items, &sender_key, "1 receipt"),
            readers_so_far
        );
    }
    for r in &readers {
        receipt(r.token.clone()).await;
        readers_so_far.insert(r.id.clone());
    }
    for page in [1usize, 3, 200] {
        let p = api
            .list_all(&a.token, &format!("{base}?maxPageSize={page}"))
            .await;
        check_pages(&p, 20, page, "20 receipts");
        assert_eq!(
            unique_ids(&p.items, &sender_key, "20 receipts"),
            readers_so_far
        );
    }
    // skip works on receipts as on participants.
    let p = api.list_all(&a.token, &format!("{base}?skip=15")).await;
    assert_eq!(p.items.len(), 5);
}

#[tokio::test]
async fn invalid_max_page_size_and_skip_are_400_on_every_list() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let q = quote(&thread);
    let lists = [
        "/chat/threads".to_string(),
        format!("/chat/threads/{q}/messages"),
        format!("/chat/threads/{q}/participants"),
        format!("/chat/threads/{q}/readReceipts"),
    ];
    for list in &lists {
        for bad in ["0", "201", "-1", "abc", "1.5", "99999999999"] {
            let r = api
                .chat(
                    &a.token,
                    Method::GET,
                    &format!("{list}?maxPageSize={bad}"),
                    None,
                )
                .await;
            let (_, message) = r.expect_error(400);
            r.expect_chat_versions_header();
            assert!(
                message.contains("maxPageSize"),
                "{list} maxPageSize={bad}: the message names the parameter: {message}"
            );
        }
        for ok in ["1", "200"] {
            api.chat(
                &a.token,
                Method::GET,
                &format!("{list}?maxPageSize={ok}"),
                None,
            )
            .await
            .expect(200);
        }
    }
    for list in &lists[2..] {
        for bad in ["-1", "abc"] {
            api.chat(&a.token, Method::GET, &format!("{list}?skip={bad}"), None)
                .await
                .expect_error(400);
        }
    }
    for list in &lists[..2] {
        api.chat(
            &a.token,
            Method::GET,
            &format!("{list}?startTime=yesterday"),
            None,
        )
        .await
        .expect_error(400);
    }
}

#[tokio::test]
async fn list_threads_start_time_keeps_threads_active_since_then() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let mut threads = Vec::new();
    for i in 0..5 {
        let t = api.thread(&a.token, &format!("t{i}"), &[]).await;
        api.message(&a.token, &t, "activity").await;
        threads.push(t);
        // Distinct activity times make the cut below meaningful.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let all = api.list_all(&a.token, "/chat/threads").await.items;
    assert_eq!(all.len(), 5);
    let activity = |t: &Value| ts(&t["lastMessageReceivedOn"], "lastMessageReceivedOn");
    let cut = activity(
        all.iter()
            .find(|t| t["id"] == threads[2].as_str())
            .expect("thread listed"),
    );
    let after = api
        .list_all(
            &a.token,
            &format!(
                "/chat/threads?maxPageSize=1&startTime={}",
                start_time_param(cut)
            ),
        )
        .await
        .items;
    let mut got: Vec<&str> = after.iter().map(|t| t["id"].as_str().unwrap()).collect();
    let mut want: Vec<&str> = all
        .iter()
        .filter(|t| activity(t) >= cut)
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(
        got, want,
        "exactly the threads active at or after startTime"
    );
    assert!(got.contains(&threads[4].as_str()));
}

#[tokio::test]
async fn start_time_accepts_the_timestamp_shapes_clients_send() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    api.message(&a.token, &thread, "x").await;
    let base = format!("/chat/threads/{}/messages", quote(&thread));
    // As sent: SDK 1.2.0 (milliseconds or microseconds, Z), whole seconds, 7 digits, an explicit
    // offset, all URL-quoted by the client.
    for t in [
        "2020-01-01T00:00:00.000Z",
        "2020-01-01T00:00:00.123456Z",
        "2020-01-01T00:00:00.1234567Z",
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00+00:00",
        "2020-01-01T01:00:00+01:00",
    ] {
        for list in [base.as_str(), "/chat/threads"] {
            let r = api
                .chat(
                    &a.token,
                    Method::GET,
                    &format!("{list}?startTime={}", quote(t)),
                    None,
                )
                .await;
            let page = r.expect(200).json();
            assert!(
                !page["value"].as_array().unwrap().is_empty(),
                "{list} startTime={t}: everything is newer than 2020"
            );
        }
    }
}

/// The follower itself, checked against the SDK behaviour recorded in python_sdk_1_2_0.md §5.4: values
/// decoded then re-quoted with `quote()` (so `%2F` comes back as `/`), blank values dropped, api-version
/// overwritten, path kept as given.
#[test]
fn the_next_link_follower_matches_the_sdk() {
    let link = "http://h:1/chat/threads/19:x@thread.v2/messages?syncState=s%2F%3D1\
                &startTime=1%2F1%2F1970%2012%3A00%3A00%20AM%20%2B00%3A00&maxPageSize=5\
                &api-version=2021-03-07&empty=";
    assert_eq!(
        sdk_next_url(link, "2023-11-07"),
        "http://h:1/chat/threads/19:x@thread.v2/messages?syncState=s/%3D1\
         &startTime=1/1/1970%2012%3A00%3A00%20AM%20%2B00%3A00&maxPageSize=5&api-version=2023-11-07"
    );
    assert_eq!(
        sdk_next_url("https://h/chat/threads?skip=2", "2025-03-15"),
        "https://h/chat/threads?skip=2&api-version=2025-03-15"
    );
}

// A keyset cursor on live activity would let a thread that gets a message after page 1 jump ahead of
// the cursor and never be returned; the listing must be keyed by activity as of its first page.
#[tokio::test]
async fn thread_paging_misses_no_thread_that_gets_a_message_mid_listing() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let mut created = HashSet::new();
    let mut oldest = String::new();
    for i in 0..6 {
        let t = api.thread(&a.token, &format!("t{i}"), &[]).await;
        if i == 0 {
            oldest = t.clone();
        }
        created.insert(t);
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let first = api
        .chat(&a.token, Method::GET, "/chat/threads?maxPageSize=2", None)
        .await;
    let page = first.expect(200).json();
    let mut seen: Vec<String> = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_key)
        .collect();
    assert!(
        !seen.contains(&oldest),
        "the oldest thread is on a later page"
    );
    // A chat app lists threads while messages arrive: the thread on the last page becomes the newest.
    api.message(&a.token, &oldest, "wake up").await;
    let mut next = page["nextLink"].as_str().expect("nextLink").to_string();
    loop {
        let r = api
            .raw_url(
                Method::GET,
                &sdk_next_url(&next, CHAT_API),
                &[("authorization", format!("Bearer {}", a.token))],
                None,
            )
            .await;
        let page = r.expect(200).json();
        seen.extend(page["value"].as_array().unwrap().iter().map(id_key));
        match page["nextLink"].as_str() {
            Some(n) if !n.is_empty() => next = n.to_string(),
            _ => break,
        }
    }
    let seen_set: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), seen_set.len(), "no thread twice: {seen:?}");
    assert_eq!(seen_set, created, "every thread is listed: {seen:?}");
}
