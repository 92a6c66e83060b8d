using NerfSharp.Configuration;

namespace NerfSharp.Tests.Configuration;

public sealed class RunConfigJsonTests
{
    private static RunConfig Sample() => new RunConfig
    {
        ExperimentName = "demo \"run\"",
        OutputDir = "/tmp/x",
        Data = new DataConfig { DataDir = "data/demo", HalfRes = true, WhiteBackground = true, TestSkip = 2, Factor = 4 },
        Trainer = new TrainerConfig { Steps = 123, BatchRays = 64, LearningRate = 0.1 + 0.2, Seed = ulong.MaxValue, FineTunePath = "a.safetensors" },
        Vanilla = new VanillaNerfConfig { NetWidth = 64, Importance = 0, RawNoiseStd = 1e-300 },
        Render = new RenderConfig { RenderFactor = 4, RenderTest = true },
    };

    [Fact]
    public void RoundTripIsExact()
    {
        RunConfig c = Sample();
        string json = RunConfigJson.Serialize(c);
        Assert.Equal(c, RunConfigJson.Deserialize(json, "config.json"));
        Assert.Equal(new RunConfig(), RunConfigJson.Deserialize(RunConfigJson.Serialize(new RunConfig()), "config.json"));
    }

    [Fact]
    public void JsonIsIndentedCamelCase()
    {
        string json = RunConfigJson.Serialize(Sample());
        Assert.Contains("\n", json);
        Assert.Contains("\"experimentName\"", json);
        Assert.Contains("\"trainer\": {", json);
        Assert.Contains("\"learningRate\": 0.30000000000000004", json);
    }

    [Fact]
    public void MissingPropertiesKeepDefaults()
    {
        var c = RunConfigJson.Deserialize("""{ "trainer": { "steps": 7 } }""", "config.json");
        Assert.Equal(new RunConfig() with { Trainer = new TrainerConfig { Steps = 7 } }, c);
    }

    [Theory]
    [InlineData("{ \"trainer\": { \"steps\": 7 ")]
    [InlineData("{ \"trainer\": { \"stepz\": 7 } }")]
    [InlineData("{ \"trainer\": null }")]
    [InlineData("{ \"trainer\": { \"steps\": \"7\" } }")]
    [InlineData("null")]
    [InlineData("")]
    public void MalformedJsonIsDataFormatErrorNamingTheSource(string json)
    {
        var e = Assert.Throws<DataFormatException>(() => RunConfigJson.Deserialize(json, "runs/a/config.json"));
        Assert.Equal("runs/a/config.json", e.FilePath);
    }
}
