//! Unpacking allocates exactly once: the result's value buffer.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use unipos_iso8583::cup;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn unpack_allocates_only_the_result_buffer() {
    // The 0210 IC sale response of PROTOCOL.md §3.3 (message part, after TPDU and header).
    let frame = hex::decode("009f60000000066031009999990210703e02810ed082131962122602000241255730000000000000073700002332203217082723020827000100084803100032303332313734393138323730313233343530303030303036353930373133313030303538313230363131223031303230303030202020343830333130303020202031353600059f3602004700142200006500050100034355503635304341433741").unwrap();
    let message = &frame[13..];
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let msg = cup::profile().unpack(message).unwrap();
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert!(msg.has(55));
    assert_eq!(
        after - before,
        1,
        "unpack must allocate only the value buffer"
    );
}
