//! A bump allocator for contract frames (only on `wasm32`).
//!
//! A frame is a fresh WASM instance that lives for one call, so memory never needs to be given
//! back to anyone: allocations bump a pointer up from `__heap_base` (the end of the linker's
//! stack and data) and grow linear memory a page at a time. Freeing only rewinds the pointer
//! when the freed block is the last one, which makes the common `Vec` growth and temporary
//! buffers nearly free. When memory cannot grow (WASM-lite allows 16 pages, 1 MiB) the
//! allocation fails and the contract traps.
//!
//! Invariant: WASM-lite has no threads, so the allocator's `Cell` is never shared.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;

const PAGE: usize = 64 * 1024;

unsafe extern "C" {
    /// Where the linker put the first free byte after the stack and static data.
    static __heap_base: u8;
}

/// The bump allocator; the SDK installs one as the global allocator on `wasm32`.
pub struct BumpAllocator {
    /// The next free address; 0 before the first allocation.
    next: Cell<usize>,
}

// SAFETY: contract frames are single-threaded (WASM-lite refuses threads).
unsafe impl Sync for BumpAllocator {}

impl BumpAllocator {
    /// An allocator that starts at `__heap_base` on first use.
    pub const fn new() -> Self {
        BumpAllocator { next: Cell::new(0) }
    }

    fn next(&self) -> usize {
        match self.next.get() {
            0 => &raw const __heap_base as usize,
            next => next,
        }
    }

    /// Grows memory so that `[0, end)` is addressable; false if it cannot.
    fn reserve(end: usize) -> bool {
        let size = wasm32::memory_size(0) * PAGE;
        if end <= size {
            return true;
        }
        let pages = (end - size).div_ceil(PAGE);
        wasm32::memory_grow(0, pages) != usize::MAX
    }
}

impl Default for BumpAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every returned block is inside linear memory, aligned as asked, and disjoint from
// every live block (blocks are only handed out above `next`, which only moves back over a
// block that was freed).
unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let next = self.next();
        let Some(start) = next.checked_next_multiple_of(layout.align()) else {
            return core::ptr::null_mut();
        };
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if !Self::reserve(end) {
            return core::ptr::null_mut();
        }
        self.next.set(end);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let addr = ptr as usize;
        if addr + layout.size() == self.next.get() {
            // The last block: grow or shrink it in place.
            let Some(end) = addr.checked_add(new_size) else {
                return core::ptr::null_mut();
            };
            if !Self::reserve(end) {
                return core::ptr::null_mut();
            }
            self.next.set(end);
            return ptr;
        }
        if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: `new_size` is non-zero (it exceeds `layout.size()`) and the alignment is
        // the old, valid one.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and disjoint (the new one lies above `next`).
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size()) };
        }
        new
    }
}
