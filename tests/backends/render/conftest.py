import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # render_nets, also under other import modes
