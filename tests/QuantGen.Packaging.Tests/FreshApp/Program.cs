// The fresh app's entry point: weights file and MNIST folder in, the walkthrough's lines out.
foreach (string line in QuantGen.Walkthrough.Walkthrough.Run(args[0], args[1])) Console.WriteLine(line);
