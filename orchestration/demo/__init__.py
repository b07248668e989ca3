"""Synthetic demo deliveries for every source of the Sozialmonitoring (SYNTHETISCHE DEMODATEN).

    from orchestration.demo import generate_demo
    summary = generate_demo(Path("data/inbox"))

See generator.generate_demo for the parameters and README-level notes in docs/ (engineer docs).
"""
from orchestration.demo.generator import DEFAULT_SEED, DemoSummary, generate_demo

__all__ = ["DEFAULT_SEED", "DemoSummary", "generate_demo"]
