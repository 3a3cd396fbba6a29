#pragma once
// /proc/self/mountinfo texts for the resolution tests.

namespace kdump::test {

/// The development VM this project is built on (Debian 12 userland, kernel
/// 6.18): root on a bare virtio disk, and /dev/pts and /dev/shm each mounted
/// twice on the same point (stacked mounts: 29 is on top of 26, 30 of 25).
/// Most cgroup lines are left out.
inline constexpr const char* kMountinfoVm =
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
    "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334432k,nr_inodes=3083608,mode=755\n"
    "25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683656k\n"
    "26 24 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000\n"
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534\n"
    "28 27 0:25 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable "
    "ro,size=4k,mode=755\n"
    "29 26 0:26 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000\n"
    "30 25 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683656k\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/// The same VM in a private mount namespace (unshare -m), with real
/// filesystems on loop devices: a btrfs (LABEL=dumps, UUID c2ffae05-...)
/// whose subvolumes @ and @home are mounted at /mnt/root and
/// /mnt/root/home; an ext4 (LABEL=crashdisk, UUID f13383cf-...) on a mount
/// point with a space, and its subdirectory /sub bind-mounted on /srv/bound;
/// a tmpfs "first" on /srv/over with "inner" on /srv/over/inner, then
/// "second" mounted over /srv/over, which hides "inner". The /proc, /sys and
/// /dev lines below the first few are left out.
inline constexpr const char* kMountinfoLoopLab =
    "43 42 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534\n"
    "45 43 0:21 / /proc rw,relatime - proc proc rw\n"
    "46 43 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
    "58 43 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334432k,nr_inodes=3083608,mode=755\n"
    "59 58 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683656k\n"
    "60 59 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683656k\n"
    "63 43 0:39 / /srv rw,relatime - tmpfs scratch rw,size=1024k\n"
    "64 43 0:40 / /mnt rw,relatime - tmpfs scratch rw,size=1024k\n"
    "66 64 0:41 /@ /mnt/root rw,relatime - btrfs /dev/loop0 rw,discard=async,space_cache=v2,subvolid=256,subvol=/@\n"
    "67 66 0:41 /@home /mnt/root/home rw,relatime - btrfs /dev/loop0 "
    "rw,discard=async,space_cache=v2,subvolid=257,subvol=/@home\n"
    "65 63 7:1 / /srv/dump\\040space rw,relatime - ext4 /dev/loop1 rw\n"
    "68 63 7:1 /sub /srv/bound rw,relatime - ext4 /dev/loop1 rw\n"
    "69 63 0:45 / /srv/over rw,relatime - tmpfs first rw,size=1024k\n"
    "70 69 0:46 / /srv/over/inner rw,relatime - tmpfs inner rw,size=1024k\n"
    "71 69 0:47 / /srv/over rw,relatime - tmpfs second rw,size=1024k\n";

/// An NFS client. This VM's kernel has no NFS client, so these lines are
/// written by hand in the kernel's format (fs/nfs/super.c: the source is the
/// devname mount.nfs passed, "host:/export" or "[v6]:/export"; NFSv4 shows
/// as nfs4): /var from an NFSv4 server, an IPv6 NFSv3 export on /mnt/v6,
/// and a subdirectory of the first export bind-mounted on /srv/cores.
inline constexpr const char* kMountinfoNfs =
    "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rhel-root rw,seclabel,attr2,inode64,noquota\n"
    "61 22 252:1 / /boot rw,relatime shared:29 - xfs /dev/vda1 rw,seclabel,attr2,inode64,noquota\n"
    "95 22 0:51 / /var rw,relatime shared:50 - nfs4 nfs.example.com:/exports/var "
    "rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,"
    "clientaddr=192.168.122.10,local_lock=none,addr=192.168.122.1\n"
    "96 22 0:52 / /mnt/v6 rw,relatime shared:51 - nfs [fd00::1]:/srv/dumps "
    "rw,vers=3,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp6,timeo=600,retrans=2,sec=sys,"
    "mountaddr=fd00::1,mountvers=3,mountport=20048,mountproto=udp6,local_lock=none,addr=fd00::1\n"
    "97 22 0:51 /crash/cores /srv/cores rw,relatime shared:50 - nfs4 nfs.example.com:/exports/var "
    "rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,"
    "clientaddr=192.168.122.10,local_lock=none,addr=192.168.122.1\n";

}  // namespace kdump::test
