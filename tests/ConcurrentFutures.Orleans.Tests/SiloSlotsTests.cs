using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using ConcurrentFutures.Orleans;
using Orleans.Runtime;
using Xunit;

namespace ConcurrentFutures.Orleans.Tests;

/// <summary>How deep the executor pipelines calls to one silo: cores × 2, cores × 8 while calls are short.</summary>
public class SiloSlotsTests
{
    private static readonly SiloAddress Address = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 30000), 0);

    private static long Ticks(double milliseconds) => (long)(milliseconds / 1000 * Stopwatch.Frequency);

    [Fact]
    public void BeforeAnyAnswer_TheDepthIsCoresTimesTwo()
    {
        var slots = new SiloSlots(Address);
        Assert.Equal(0, slots.Capacity);
        slots.SetCores(4);
        Assert.Equal(8, slots.Capacity);
    }

    [Fact]
    public void ShortCalls_AreSentEightPerCore_AndLongOnesBringItBackToTwo()
    {
        var slots = new SiloSlots(Address);
        slots.SetCores(2);
        for (int i = 0; i < 20; i++)
        {
            slots.Answered(Ticks(0.3), inFlight: 4); // 0.3 ms round trips, 4 in flight on 2 cores: ~0.15 ms a call
        }

        Assert.Equal(16, slots.Capacity);
        for (int i = 0; i < 40; i++)
        {
            slots.Answered(Ticks(50), inFlight: 16);
        }

        Assert.Equal(4, slots.Capacity);
    }

    [Fact]
    public void TheDepthOfItsOwnQueue_DoesNotMakeAShortCallLookLong()
    {
        // 0.5 ms of work a call on 2 cores: 16 in flight make a round trip of ~4 ms, yet each call is still short.
        var slots = new SiloSlots(Address);
        slots.SetCores(2);
        for (int i = 0; i < 40; i++)
        {
            slots.Answered(Ticks(4), inFlight: 16);
        }

        Assert.Equal(16, slots.Capacity);
    }

    [Fact]
    public void CallsOfTwoMilliseconds_StayAtTwoPerCore()
    {
        var slots = new SiloSlots(Address);
        slots.SetCores(2);
        for (int i = 0; i < 40; i++)
        {
            slots.Answered(Ticks(2), inFlight: 1); // few calls in flight: the round trip is the call's length
        }

        Assert.Equal(4, slots.Capacity);
    }

    [Fact]
    public void FreeSlots_AreHandedOutOnlyUpToTheDepth()
    {
        var slots = new SiloSlots(Address);
        slots.SetCores(1);
        var taken = new List<string>();
        while (slots.HasFreeSlot)
        {
            taken.Add(slots.TakeSlot());
            slots.InFlight.Add((ClusterTask)RuntimeHelpers.GetUninitializedObject(typeof(ClusterTask))); // a call in flight (only counted here)
            if (taken.Count > 100)
            {
                break;
            }
        }

        Assert.Equal(2, taken.Count);
        Assert.Equal(2, taken.Distinct().Count());
    }
}
