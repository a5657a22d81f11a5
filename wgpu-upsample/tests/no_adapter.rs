//! Without a matching adapter the library says how to get one. (A test binary of its own: it
//! sets WGPU_ADAPTER_NAME and WGPU_BACKEND for the whole process.)

use wgpu_upsample::{Error, GpuContext};

#[test]
fn no_adapter_error_says_how_to_get_one() {
    // SAFETY: this binary has a single test, so no other thread reads the environment.
    unsafe { std::env::set_var("WGPU_ADAPTER_NAME", "no-such-adapter-0xdeadbeef") };
    let err = GpuContext::new().unwrap_err();
    let Error::NoAdapter(msg) = &err else {
        panic!("expected NoAdapter, got {err:?}");
    };
    assert!(msg.contains("no-such-adapter-0xdeadbeef"), "{msg}");
    assert!(msg.contains("mesa-vulkan-drivers"), "{msg}");
    assert!(msg.contains("llvmpipe"), "{msg}");

    // No adapter at all for the backends asked for (Metal does not exist on this OS; on macOS,
    // DX12 does not): the same advice.
    let other = if cfg!(target_os = "macos") {
        "dx12"
    } else {
        "metal"
    };
    // SAFETY: as above.
    unsafe {
        std::env::remove_var("WGPU_ADAPTER_NAME");
        std::env::set_var("WGPU_BACKEND", other);
    }
    let err = GpuContext::new().unwrap_err();
    let Error::NoAdapter(msg) = &err else {
        panic!("expected NoAdapter, got {err:?}");
    };
    assert!(
        msg.starts_with("no GPU adapter found for backends"),
        "{msg}"
    );
    assert!(msg.contains("mesa-vulkan-drivers"), "{msg}");
    assert!(msg.contains("llvmpipe"), "{msg}");
}
